package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.testkit.FaultProxy;
import io.outpost.testkit.StandInCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's promise end to end, through the shipped jar: messages a device published while the
 * cloud was down are acknowledged from the spool and reach the cloud (a third-party broker) once it
 * is reachable; cloud commands reach local subscribers.
 */
class StoreAndForwardIT {

  @TempDir Path dir;

  private LaunchedDaemon daemon;
  private StandInCloud cloud;
  private FaultProxy link;
  private MqttClient device;

  @AfterEach
  void tearDown() throws Exception {
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    if (daemon != null) {
      daemon.close();
    }
    if (link != null) {
      link.close();
    }
    if (cloud != null) {
      cloud.close();
    }
  }

  @Test
  void spoolsWhileTheCloudIsDownAndDeliversWhenItIsUp() throws Exception {
    cloud = StandInCloud.start();
    link = FaultProxy.toTcp(cloud.port());
    link.refuse(
        true); // the cloud is unreachable at start: the daemon must keep accepting and spooling
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: ./data}
        cloud:
          url: tcp://127.0.0.1:%d
          clientId: edge-it
          mqttVersion: "3.1.1"
          backoff: {initialMillis: 200, maxMillis: 1000}
        routes:
          - {name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud, prefix: "site-1/"}
          - {name: commands, from: cloud, filter: "commands/edge-it/#", to: local}
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(link.port()));
    daemon = LaunchedDaemon.jar(dir, "run", "--config", config.toString());
    int port = daemon.awaitReady(90).mqttPort();

    device = new MqttClient("tcp://127.0.0.1:" + port, "pump-7", new MemoryPersistence());
    device.connect();
    for (int i = 0; i < 20; i++) {
      // publish() returns once the daemon's PUBACK arrived, i.e. once the message is in the spool
      device.publish(
          "devices/pump-7/telemetry",
          ("{\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8),
          1,
          false);
    }

    assertThat(cloud.count("#")).as("nothing reached the cloud while it was down").isZero();
    link.refuse(false);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(cloud.count("site-1/devices/pump-7/telemetry"))
                    .isGreaterThanOrEqualTo(20));
    assertThat(cloud.received("site-1/devices/pump-7/telemetry"))
        .extracting(StandInCloud.Received::text)
        .containsSubsequence("{\"seq\":0}", "{\"seq\":1}", "{\"seq\":19}");

    BlockingQueue<MqttMessage> commands = new LinkedBlockingQueue<>();
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("commands/edge-it/#", 1)},
        new IMqttMessageListener[] {(t, m) -> commands.add(m)});
    cloud.publish("commands/edge-it/valve", "close".getBytes(StandardCharsets.UTF_8), 1, false);
    MqttMessage command = commands.poll(30, TimeUnit.SECONDS);
    assertThat(command).as("cloud command delivered to the local subscriber").isNotNull();
    assertThat(new String(command.getPayload(), StandardCharsets.UTF_8)).isEqualTo("close");
  }
}
