package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

/** The runnable jar as operators use it: exit codes, messages, serving clients, and SIGTERM. */
class CommandLineIT {

  @TempDir Path dir;

  private LaunchedDaemon daemon;

  @AfterEach
  void stopDaemon() throws InterruptedException {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void validateAcceptsTheBuiltInConfiguration() throws Exception {
    daemon = LaunchedDaemon.jar(dir, "validate");

    assertThat(daemon.awaitExit(60)).as(daemon.output()).isZero();
    assertThat(daemon.output()).contains("built-in configuration: OK").contains("127.0.0.1:1883");
  }

  @Test
  void invalidConfigurationExits78NamingKeyAndLine() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker:
          listeners:
            - host: 127.0.0.1
              port: 70000
        """);

    for (String command : new String[] {"validate", "run"}) {
      daemon = LaunchedDaemon.jar(dir, command, "--config", config.toString());
      assertThat(daemon.awaitExit(60)).as(command + ": " + daemon.output()).isEqualTo(78);
      assertThat(daemon.output()).as(command).contains(config + ":4: broker.listeners[0].port: ");
    }
  }

  @Test
  void unknownKeyExits78() throws Exception {
    Path config = Files.writeString(dir.resolve("outpost.yaml"), "storage:\n  dri: ./data\n");

    daemon = LaunchedDaemon.jar(dir, "run", "--config", config.toString());

    assertThat(daemon.awaitExit(60)).as(daemon.output()).isEqualTo(78);
    assertThat(daemon.output()).contains(config + ":2: storage.dri: unknown key 'dri'");
  }

  @Test
  void unreadableConfigurationFileExits78() throws Exception {
    daemon = LaunchedDaemon.jar(dir, "run", "--config", dir.resolve("nope.yaml").toString());

    assertThat(daemon.awaitExit(60)).as(daemon.output()).isEqualTo(78);
    assertThat(daemon.output()).contains("nope.yaml").contains("cannot read");
  }

  @Test
  void dataDirectoryWithoutParentExits73() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {enabled: false}
        """
                .formatted(dir.resolve("no/such/parent/data")));

    for (String command : new String[] {"validate", "run"}) {
      daemon = LaunchedDaemon.jar(dir, command, "--config", config.toString());
      assertThat(daemon.awaitExit(60)).as(command + ": " + daemon.output()).isEqualTo(73);
      assertThat(daemon.output())
          .contains("data directory")
          .contains("parent directory does not exist");
    }
  }

  @Test
  void servesDevicesAndStopsGracefullyOnSigterm() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: ./data}
        routes: [{from: local, filter: "devices/+/telemetry", to: cloud}]
        admin: {listen: "127.0.0.1:0"}
        """);
    daemon = LaunchedDaemon.jar(dir, "run", "--config", config.toString());
    int port = daemon.awaitReady(60).mqttPort();

    MqttClient client =
        new MqttClient("tcp://127.0.0.1:" + port, "cli-it", new MemoryPersistence());
    try {
      client.connect();
      BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
      client.subscribe(
          new MqttSubscription[] {new MqttSubscription("devices/#", 1)},
          new IMqttMessageListener[] {(t, m) -> received.add(m)});
      client.publish("devices/d1/telemetry", "42".getBytes(StandardCharsets.UTF_8), 1, false);
      MqttMessage echo = received.poll(10, TimeUnit.SECONDS);
      assertThat(echo).isNotNull();
      assertThat(new String(echo.getPayload(), StandardCharsets.UTF_8)).isEqualTo("42");
      client.disconnect();
    } finally {
      client.close();
    }

    long before = System.nanoTime();
    daemon.terminate();
    int exit = daemon.awaitExit(30);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);

    assertThat(exit).as(daemon.output()).isZero();
    assertThat(tookMillis).as("graceful stop within the 10 s budget").isLessThan(10_000);
    assertThat(daemon.output()).contains("received SIGTERM").contains("stopped cleanly");
    assertThat(dir.resolve("data")).isDirectory();
  }
}
