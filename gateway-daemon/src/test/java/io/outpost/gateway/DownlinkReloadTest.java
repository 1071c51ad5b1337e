package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.cloud.CloudLinkState;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.ReloadResult;
import io.outpost.testkit.StandInCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cloud → local routes against Moquette as the cloud: a reload that changes their cloud-side filter
 * applies live.
 */
@Timeout(120)
class DownlinkReloadTest {

  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {enabled: false}
      cloud: {url: "%s", clientId: edge-9, mqttVersion: "3.1.1", backoff: {initialMillis: 50, maxMillis: 500}}
      routes:
        - {name: commands, from: cloud, filter: "%s", to: local, prefix: "local/"}
      """;

  @TempDir Path dir;
  private final StandInCloud cloud = StandInCloud.start();
  private Gateway gateway;
  private MqttClient device;

  @AfterEach
  void stop() throws Exception {
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(10));
    }
    cloud.close();
  }

  private Path write(String filter) throws Exception {
    return Files.writeString(
        dir.resolve("outpost.yaml"), CONFIG.formatted(dir.resolve("data"), cloud.url(), filter));
  }

  @Test
  void aNewCloudSideFilterIsSubscribedLiveAndTheOldOneDropped() throws Exception {
    Path config = write("site/a/#");
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> gateway.cloud().state() == CloudLinkState.ONLINE);
    List<String> arrived = new CopyOnWriteArrayList<>();
    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "panel-1", new MemoryPersistence());
    device.connect(new MqttConnectionOptions());
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("local/#", 1)},
        new IMqttMessageListener[] {(topic, message) -> arrived.add(topic)});
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              cloud.publish("site/a/reboot", bytes("now"), 1, false);
              assertThat(arrived).contains("local/site/a/reboot");
            });

    write("site/b/#");
    ReloadResult reload = gateway.reload();

    assertThat(reload.restartRequired()).isEmpty();
    assertThat(reload.applied()).contains("routes");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> gateway.cloud().downlinkFilters().equals(List.of("site/b/#")));
    arrived.clear();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              cloud.publish("site/a/reboot", bytes("dropped"), 1, false);
              cloud.publish("site/b/reboot", bytes("kept"), 1, false);
              assertThat(arrived).contains("local/site/b/reboot");
            });
    // site/a was published before site/b each round: unsubscribed, none of it arrived
    assertThat(arrived).doesNotContain("local/site/a/reboot");
    assertThat(device.isConnected()).isTrue();
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
