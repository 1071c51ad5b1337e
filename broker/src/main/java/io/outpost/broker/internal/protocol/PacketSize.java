package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.outpost.broker.BrokerMessage;

/** Upper-bound estimates of encoded packet sizes, to respect a client's Maximum Packet Size. */
final class PacketSize {

  private PacketSize() {}

  /** Encoded size of a PUBLISH, never underestimated. */
  static long publish(BrokerMessage m, int qos, MqttProperties props) {
    long size = 5 /* fixed header */ + 2 + Connection.utf8Length(m.topic()) + (qos > 0 ? 2 : 0);
    size += 4; // property length
    for (MqttProperties.MqttProperty<?> p : props.listAll()) {
      Object v = p.value();
      if (v instanceof String s) {
        size += 3 + Connection.utf8Length(s);
      } else if (v instanceof byte[] b) {
        size += 3 + b.length;
      } else if (p instanceof MqttProperties.UserProperties up) {
        for (MqttProperties.StringPair pair : up.value()) {
          size += 5 + Connection.utf8Length(pair.key) + Connection.utf8Length(pair.value);
        }
      } else {
        size += 5;
      }
    }
    return size + m.payload().length();
  }
}
