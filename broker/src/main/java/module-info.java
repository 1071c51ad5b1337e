/**
 * The MQTT broker devices connect to. Exports its face only: the broker, its options, the message
 * model and the routing hook ({@code io.outpost.broker}) and the device-security options and
 * service the daemon binds ({@code io.outpost.broker.security}). Protocol handling, sessions, the
 * store and the meters stay internal.
 */
module io.outpost.broker {
  exports io.outpost.broker;
  exports io.outpost.broker.security;

  requires transitive io.outpost.topic;
  requires io.outpost.durable;
  requires io.outpost.common;
  requires transitive io.vertx.core;
  requires transitive micrometer.core;
  requires io.vertx.mqtt;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.mqtt;
  requires io.netty.transport;
  requires com.fasterxml.jackson.annotation;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.sql;
  requires org.xerial.sqlitejdbc;
  requires java.naming;
  // compile time only: RecordBuilder generates the options records' withers (and marks them
  // @Generated)
  requires static io.soabase.recordbuilder.core;
  requires static java.compiler;
}
