package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.testkit.StandInCloud;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Moquette stand-in cloud runs on the Netty the Vert.x BOM forces (4.2) with a real Paho
 * client.
 */
class StandInCloudTest {
  private final StandInCloud cloud = StandInCloud.start();

  @AfterEach
  void stop() {
    cloud.close();
  }

  @Test
  void recordsPublishesAndDeliversCloudToDeviceMessages() throws Exception {
    assertThat(cloud.port()).isPositive();
    MqttClient client = new MqttClient(cloud.url(), "smoke", new MemoryPersistence());
    try {
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      client.connect(options);
      List<String> downlink = new CopyOnWriteArrayList<>();
      client.subscribe(
          "down/#",
          1,
          (topic, message) ->
              downlink.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8)));
      client.publish("up/a", "one".getBytes(StandardCharsets.UTF_8), 1, false);
      cloud.publish("down/x", "two".getBytes(StandardCharsets.UTF_8), 1, false);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cloud.count("up/#") == 1 && downlink.size() == 1);
      assertThat(cloud.received("up/+"))
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.text()).isEqualTo("one");
                assertThat(r.clientId()).isEqualTo("smoke");
                assertThat(r.qos()).isEqualTo(1);
              });
      assertThat(downlink).containsExactly("down/x=two");
      assertThat(cloud.connectedClients()).contains("smoke");
      client.disconnect();
    } finally {
      client.close();
    }
  }
}
