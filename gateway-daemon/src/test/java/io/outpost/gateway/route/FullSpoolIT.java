package io.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.outpost.broker.BrokerFixture;
import io.outpost.broker.RawMqttClient;
import io.outpost.broker.V5Client;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.spool.DropReason;
import io.outpost.spool.OverflowPolicy;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker in front of a real SQLite spool that is full under {@code overflowPolicy: reject-new}:
 * a refused publish is never acknowledged as if it had been accepted.
 */
class FullSpoolIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  final SimpleMeterRegistry spoolRegistry = new SimpleMeterRegistry();
  final List<AutoCloseable> closeables = new ArrayList<>();
  SqliteSpool spool;
  BrokerFixture fixture;

  @BeforeEach
  void start() throws Exception {
    spool =
        SqliteSpool.open(
            SpoolOptions.defaults()
                .withDir(dir.toString())
                .withMaxBytes(1L)
                .withOverflowPolicy(OverflowPolicy.REJECT_NEW),
            spoolRegistry,
            Clock.systemUTC());
    List<RouteConfig> routes =
        new ConfigLoader()
            .parse(
                """
                routes: [{name: telemetry, from: local, filter: "devices/#", to: cloud}]
                """,
                "test")
            .routes();
    fixture =
        BrokerFixture.start(
            dir,
            BrokerFixture.localOptions(),
            new GatewayRouter(routes, spool, m -> {}, spoolRegistry));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (AutoCloseable c : closeables) {
        c.close();
      }
      if (fixture != null) {
        fixture.close();
      }
    } finally {
      spool.close();
    }
  }

  private static int id(MqttMessage m) {
    if (m instanceof MqttPublishMessage p) {
      return p.variableHeader().packetId();
    }
    return ((MqttMessageIdVariableHeader) m.variableHeader()).messageId();
  }

  /**
   * Every packet the client receives up to and including the first one that {@code last} accepts.
   */
  private static List<MqttMessage> receiveThrough(
      RawMqttClient c, java.util.function.Predicate<MqttMessage> last) throws Exception {
    List<MqttMessage> got = new ArrayList<>();
    while (true) {
      MqttMessage m = c.receive(WAIT);
      assertThat(m).as("connection open and answering").isNotNull();
      got.add(m);
      if (last.test(m)) {
        return got;
      }
    }
  }

  private static boolean isPuback(MqttMessage m, int packetId) {
    return m.fixedHeader().messageType() == MqttMessageType.PUBACK && id(m) == packetId;
  }

  @Test
  void mqtt311PublishRefusedByTheFullSpoolGetsNoPubackWhereMqtt5GetsQuotaExceeded()
      throws Exception {
    V5Client v5 = new V5Client(fixture.url(), "v5-device");
    closeables.add(v5);
    v5.connect();
    int v5Code;
    try {
      IMqttToken t =
          v5.publish(
              "devices/v5/telemetry",
              new org.eclipse.paho.mqttv5.common.MqttMessage(
                  "refused".getBytes(StandardCharsets.UTF_8), 1, false, null));
      v5Code = t.getReasonCodes()[0];
    } catch (MqttException e) {
      v5Code = e.getReasonCode();
    }
    assertThat(v5Code).as("MQTT 5 PUBACK reason code").isEqualTo(0x97);

    RawMqttClient v3 = new RawMqttClient(fixture.port());
    closeables.add(v3);
    v3.send(RawMqttClient.connect("v3-device", true, MqttVersion.MQTT_3_1_1));
    assertThat(v3.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    v3.send(RawMqttClient.publish("devices/v3/telemetry", "refused", 1, 1, false));
    v3.send(RawMqttClient.publish("local/only", "accepted", 1, 2, false));

    // acknowledgements leave in arrival order, so a PUBACK for 1 would come before the one for 2
    List<MqttMessage> untilSecondAck = receiveThrough(v3, m -> isPuback(m, 2));
    v3.send(MqttMessage.PINGREQ);
    List<MqttMessage> untilPingresp =
        receiveThrough(v3, m -> m.fixedHeader().messageType() == MqttMessageType.PINGRESP);

    assertThat(untilSecondAck).noneMatch(m -> isPuback(m, 1)).hasSize(1);
    assertThat(untilPingresp).noneMatch(m -> isPuback(m, 1)).hasSize(1);
    assertThat(fixture.counter("outpost.broker.route.rejected", "reasonCode", "0x97")).isEqualTo(2);
    assertThat(spool.stats().depth()).isZero();
    assertThat(spool.stats().dropped(DropReason.OVERFLOW)).isEqualTo(2);
    assertThat(fixture.broker.connectedClients())
        .as("the 3.1.1 device stays connected and keeps its message")
        .isEqualTo(2);
  }
}
