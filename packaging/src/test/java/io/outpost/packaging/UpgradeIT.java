package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upgrade as operators run it (stop, replace the program, start) keeps every message the old
 * version acknowledged: installed with the tarball's {@code install.sh} into a staging root, the
 * service's data directory inside it.
 */
class UpgradeIT {

  private static final int MESSAGES = 5;

  @TempDir Path dir;

  private Path unpacked;
  private Path stage;
  private Map<String, String> env;
  private LaunchedDaemon daemon;

  @BeforeEach
  void installFirstVersion() throws Exception {
    Tool.succeed("tar", "-xzf", Artifacts.tarball().toString(), "-C", dir.toString());
    try (var entries = Files.list(dir)) {
      unpacked =
          entries
              .filter(p -> p.getFileName().toString().startsWith("outpost-"))
              .findFirst()
              .orElseThrow();
    }
    stage = dir.resolve("stage");
    install();
    env =
        Map.of(
            "OUTPOST_DEFAULTS",
            stage.resolve("etc/default/outpost").toString(),
            "OUTPOST_CDS_DIR",
            stage.resolve("var/cache/outpost").toString()); // never the machine's own archive
  }

  @AfterEach
  void stopDaemon() throws InterruptedException {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void spooledMessagesSurviveStopReinstallAndStart() throws Exception {
    Path data = stage.resolve("var/lib/outpost");
    Path config =
        Files.writeString(
            stage.resolve("etc/outpost/outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        routes: [{from: local, filter: "devices/#", to: cloud}]
        """
                .formatted(data));

    LaunchedDaemon.Endpoints before = start(config);
    MqttClient client =
        new MqttClient(
            "tcp://127.0.0.1:" + before.mqttPort(), "upgrade-it", new MemoryPersistence());
    try {
      client.connect();
      for (int i = 0; i < MESSAGES; i++) {
        // QoS 1: publish returns after PUBACK, which the gateway sends only once the message is in
        // the spool
        client.publish(
            "devices/d1/telemetry", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
      client.disconnect();
    } finally {
      client.close();
    }
    stop();

    install();
    assertThat(config).as("the operator's configuration is kept").content().contains("devices/#");

    LaunchedDaemon.Endpoints after = start(config);
    Tool.Result spool =
        Tool.run(
            dir,
            env,
            Duration.ofSeconds(60),
            stage.resolve("usr/local/bin/outpost").toString(),
            "spool",
            "--json",
            "--config",
            config.toString(),
            "--admin-url",
            "http://127.0.0.1:" + after.adminPort());
    assertThat(spool.exitCode()).as(spool.output()).isZero();
    assertThat(spool.output()).containsPattern("\"depth\"\\s*:\\s*" + MESSAGES + "\\b");
    stop();
  }

  private LaunchedDaemon.Endpoints start(Path config) throws Exception {
    daemon =
        LaunchedDaemon.start(
            stage.resolve("usr/local/bin/outpost"), dir, env, "run", "--config", config.toString());
    return daemon.awaitReady(90);
  }

  private void stop() throws InterruptedException {
    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(daemon.output()).isZero();
    daemon = null;
  }

  private void install() throws Exception {
    Tool.Result result =
        Tool.run(
            unpacked,
            Map.of("DESTDIR", stage.toString(), "PREFIX", "/usr/local"),
            Duration.ofSeconds(60),
            "sh",
            unpacked.resolve("install.sh").toString());
    assertThat(result.exitCode()).as(result.output()).isZero();
  }
}
