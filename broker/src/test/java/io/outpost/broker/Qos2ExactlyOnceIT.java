package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * QoS 2 exactly-once in both directions across client reconnects and a broker restart, on raw
 * sockets.
 */
class Qos2ExactlyOnceIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  BrokerFixture fixture;

  @BeforeEach
  void start() {
    fixture = BrokerFixture.start(dir);
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  private RawMqttClient connect(String id, boolean clean) throws Exception {
    RawMqttClient c = new RawMqttClient(fixture.port());
    c.send(RawMqttClient.connect(id, clean, MqttVersion.MQTT_3_1_1));
    MqttMessage connack = c.expect(MqttMessageType.CONNACK, WAIT);
    assertThat(connack).isInstanceOf(MqttConnAckMessage.class);
    return c;
  }

  private static int id(MqttMessage m) {
    if (m instanceof MqttPublishMessage p) {
      return p.variableHeader().packetId();
    }
    return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
  }

  @Test
  void incomingQos2IsDeliveredOnceWhenTheClientResendsAfterReconnect() throws Exception {
    try (RawMqttClient sub = connect("sub", true)) {
      sub.send(RawMqttClient.subscribe(1, "x/#", 2));
      assertThat(sub.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
      try (RawMqttClient pub = connect("pub", false)) {
        pub.send(RawMqttClient.publish("x/1", "once", 2, 7, false));
        assertThat(id(pub.expect(MqttMessageType.PUBREC, WAIT))).isEqualTo(7);
      }
      try (RawMqttClient pub = connect("pub", false)) {
        pub.send(RawMqttClient.publish("x/1", "once", 2, 7, true));
        assertThat(id(pub.expect(MqttMessageType.PUBREC, WAIT))).isEqualTo(7);
        pub.send(RawMqttClient.ack(MqttMessageType.PUBREL, 7));
        assertThat(id(pub.expect(MqttMessageType.PUBCOMP, WAIT))).isEqualTo(7);
        pub.send(RawMqttClient.publish("x/2", "marker", 1, 8, false));
        assertThat(pub.expect(MqttMessageType.PUBACK, WAIT)).isNotNull();
      }
      int copies = 0;
      boolean marker = false;
      while (!marker) {
        MqttMessage m = sub.receive(WAIT);
        assertThat(m).isNotNull();
        switch (m.fixedHeader().messageType()) {
          case PUBLISH -> {
            MqttPublishMessage p = (MqttPublishMessage) m;
            if (p.variableHeader().topicName().equals("x/2")) {
              marker = true;
            } else {
              copies++;
              assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("once");
              sub.send(RawMqttClient.ack(MqttMessageType.PUBREC, id(p)));
            }
          }
          case PUBREL -> sub.send(RawMqttClient.ack(MqttMessageType.PUBCOMP, id(m)));
          default -> {}
        }
      }
      assertThat(copies).isEqualTo(1);
    }
  }

  @Test
  void outgoingQos2ResumesWithPubrelAfterReconnectAndRestart() throws Exception {
    int packetId;
    try (RawMqttClient sub = connect("sub", false)) {
      sub.send(RawMqttClient.subscribe(1, "y/#", 2));
      assertThat(sub.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
      try (RawMqttClient pub = connect("pub", true)) {
        pub.send(RawMqttClient.publish("y/1", "exactly", 2, 1, false));
        assertThat(pub.expect(MqttMessageType.PUBREC, WAIT)).isNotNull();
        pub.send(RawMqttClient.ack(MqttMessageType.PUBREL, 1));
        assertThat(pub.expect(MqttMessageType.PUBCOMP, WAIT)).isNotNull();
      }
      MqttPublishMessage p = (MqttPublishMessage) sub.expect(MqttMessageType.PUBLISH, WAIT);
      packetId = id(p);
      sub.send(RawMqttClient.ack(MqttMessageType.PUBREC, packetId));
      assertThat(id(sub.expect(MqttMessageType.PUBREL, WAIT))).isEqualTo(packetId);
    }
    try (RawMqttClient sub = connect("sub", false)) {
      MqttMessage resent = sub.receive(WAIT);
      assertThat(resent.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
      assertThat(id(resent)).isEqualTo(packetId);
    }
    fixture.restart();
    try (RawMqttClient sub = connect("sub", false)) {
      MqttMessage resent = sub.receive(WAIT);
      assertThat(resent.fixedHeader().messageType()).isEqualTo(MqttMessageType.PUBREL);
      assertThat(id(resent)).isEqualTo(packetId);
      sub.send(RawMqttClient.ack(MqttMessageType.PUBCOMP, packetId));
      sub.send(MqttMessage.PINGREQ); // the PINGRESP proves the PUBCOMP was processed
      assertThat(sub.expect(MqttMessageType.PINGRESP, WAIT)).isNotNull();
    }
    try (RawMqttClient sub = connect("sub", false)) {
      assertThat(sub.receive(Duration.ofMillis(500))).isNull();
    }
  }

  @Test
  void unacknowledgedQos1IsResentWithDupAfterRestart() throws Exception {
    int packetId;
    try (RawMqttClient sub = connect("sub", false)) {
      sub.send(RawMqttClient.subscribe(1, "z/#", 1));
      assertThat(sub.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
      BrokerFixture.await(
          fixture.broker.publish(
              BrokerMessage.of("z/1", io.vertx.core.buffer.Buffer.buffer("again"), 1, false)));
      MqttPublishMessage p = (MqttPublishMessage) sub.expect(MqttMessageType.PUBLISH, WAIT);
      packetId = id(p);
      assertThat(p.fixedHeader().isDup()).isFalse();
    }
    fixture.restart();
    try (RawMqttClient sub = connect("sub", false)) {
      MqttPublishMessage p = (MqttPublishMessage) sub.expect(MqttMessageType.PUBLISH, WAIT);
      assertThat(p.fixedHeader().isDup()).isTrue();
      assertThat(id(p)).isEqualTo(packetId);
      assertThat(p.payload().toString(StandardCharsets.UTF_8)).isEqualTo("again");
    }
  }

  @Test
  void incomingQos2StaysExactlyOnceAcrossABrokerRestart() throws Exception {
    try (RawMqttClient sub = connect("sub", false)) {
      sub.send(RawMqttClient.subscribe(1, "w/#", 2));
      assertThat(sub.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    }
    try (RawMqttClient pub = connect("pub", false)) {
      pub.send(RawMqttClient.publish("w/1", "once", 2, 9, false));
      assertThat(id(pub.expect(MqttMessageType.PUBREC, WAIT))).isEqualTo(9);
    }
    fixture.restart();
    try (RawMqttClient pub = connect("pub", false)) {
      pub.send(RawMqttClient.publish("w/1", "once", 2, 9, true));
      assertThat(id(pub.expect(MqttMessageType.PUBREC, WAIT))).isEqualTo(9);
      pub.send(RawMqttClient.ack(MqttMessageType.PUBREL, 9));
      assertThat(id(pub.expect(MqttMessageType.PUBCOMP, WAIT))).isEqualTo(9);
      pub.send(RawMqttClient.publish("w/2", "marker", 1, 10, false));
      assertThat(pub.expect(MqttMessageType.PUBACK, WAIT)).isNotNull();
    }
    java.util.List<String> got = new java.util.ArrayList<>();
    try (RawMqttClient sub = connect("sub", false)) {
      while (!got.contains("marker")) {
        MqttMessage m = sub.receive(WAIT);
        assertThat(m).isNotNull();
        if (m instanceof MqttPublishMessage p) {
          got.add(p.payload().toString(StandardCharsets.UTF_8));
          sub.send(
              RawMqttClient.ack(
                  p.fixedHeader().qosLevel().value() == 2
                      ? MqttMessageType.PUBREC
                      : MqttMessageType.PUBACK,
                  id(p)));
        } else if (m.fixedHeader().messageType() == MqttMessageType.PUBREL) {
          sub.send(RawMqttClient.ack(MqttMessageType.PUBCOMP, id(m)));
        }
      }
    }
    assertThat(got).containsExactly("once", "marker");
  }
}
