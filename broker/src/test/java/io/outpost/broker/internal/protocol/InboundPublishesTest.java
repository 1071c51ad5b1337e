package io.outpost.broker.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.outpost.broker.BrokerFixture;
import io.outpost.broker.PublishRouter;
import io.outpost.broker.RawMqttClient;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's publishes as the broker acknowledges them, over a real socket: only once the routes
 * have each message, and always in the order the client sent them, whatever order the routes finish
 * in.
 */
class InboundPublishesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  BrokerFixture fixture;
  final Map<String, Promise<Void>> routing = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    PublishRouter router =
        m -> {
          Promise<Void> p = Promise.promise();
          routing.put(m.topic(), p);
          return p.future();
        };
    fixture = BrokerFixture.start(dir, BrokerFixture.localOptions(), router);
  }

  @AfterEach
  void stop() throws Exception {
    routing.values().forEach(Promise::tryComplete);
    fixture.close();
  }

  private RawMqttClient connect() throws Exception {
    RawMqttClient c = new RawMqttClient(fixture.port());
    c.send(RawMqttClient.connect("pub", true, MqttVersion.MQTT_3_1_1));
    assertThat(c.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    return c;
  }

  private static int packetId(MqttMessage ack) {
    return ((MqttMessageIdVariableHeader) ack.variableHeader()).messageId();
  }

  @Test
  void acknowledgesInArrivalOrderOnlyOnceTheRoutesHaveEachMessage() throws Exception {
    try (RawMqttClient c = connect()) {
      for (int id = 1; id <= 3; id++) {
        c.send(RawMqttClient.publish("t/" + id, "m" + id, 1, id, false));
      }
      await().atMost(WAIT).until(() -> routing.size() == 3);

      routing.get("t/3").complete();
      routing.get("t/2").complete();
      assertThat(receiveOrNull(c)).as("nothing before the first message is routed").isNull();

      routing.get("t/1").complete();
      MqttMessage first = c.expect(MqttMessageType.PUBACK, WAIT);
      MqttMessage second = c.expect(MqttMessageType.PUBACK, WAIT);
      MqttMessage third = c.expect(MqttMessageType.PUBACK, WAIT);
      assertThat(new int[] {packetId(first), packetId(second), packetId(third)})
          .containsExactly(1, 2, 3);
    }
  }

  /** The next packet within half a second, or null when none came. */
  private static MqttMessage receiveOrNull(RawMqttClient c) throws Exception {
    return c.receive(Duration.ofMillis(500));
  }
}
