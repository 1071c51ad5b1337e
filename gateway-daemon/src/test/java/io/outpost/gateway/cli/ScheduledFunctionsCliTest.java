package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Python function with {@code every: 1s} and no topic trigger, deployed to a running daemon,
 * publishes on its own to a local MQTT subscriber; {@code functions list} shows its schedule.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScheduledFunctionsCliTest {

  /** Publishes each scheduled run's payload to ticks/out. */
  static final String HANDLER =
      """
      import json
      import sys

      for line in sys.stdin:
          request = json.loads(line)
          print(json.dumps({"id": request["id"], "publish": [
              {"topic": "ticks/out", "payload": {"from": request["topic"], "run": request["payload"]}}]}),
              flush=True)
      """;

  @TempDir Path dir;

  private LocalDaemon daemon;
  private MqttClient subscriber;

  @BeforeEach
  void startDaemon() throws Exception {
    assumeTrue(PythonUnittest.available(), "python3 is needed for the process runtime");
    daemon = LocalDaemon.start(dir);
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (subscriber != null) {
      if (subscriber.isConnected()) {
        subscriber.disconnect();
      }
      subscriber.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  /** A process function project: handler.py and its descriptor. */
  static Path tickerProject(Path at, String version, String timing) throws IOException {
    Path pkg = Files.createDirectories(at);
    Files.writeString(pkg.resolve("handler.py"), HANDLER);
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        """
        name: ticker
        version: %s
        runtime: process
        command: [python3, handler.py]
        lifecycle: pinned
        timeoutMillis: 30000
        %s
        """
            .formatted(version, timing));
    return pkg;
  }

  private CliRun cli(String... args) {
    return daemon.cli(args);
  }

  @Test
  void aFunctionWithEveryPublishesToLocalSubscribersOnItsOwn() throws Exception {
    subscriber = new MqttClient(daemon.mqttUrl(), "watcher", new MemoryPersistence());
    subscriber.connect();
    BlockingQueue<MqttMessage> ticks = new LinkedBlockingQueue<>();
    subscriber.subscribe(
        new MqttSubscription[] {new MqttSubscription("ticks/out", 1)},
        new IMqttMessageListener[] {(t, m) -> ticks.add(m)});

    CliRun deployed =
        cli(
            "functions",
            "deploy",
            tickerProject(dir.resolve("ticker"), "1.0.0", "every: 1s").toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();

    MqttMessage first = ticks.poll(60, TimeUnit.SECONDS);
    MqttMessage second = ticks.poll(30, TimeUnit.SECONDS);
    assertThat(first).as("a scheduled run's output reaches a local subscriber").isNotNull();
    assertThat(second).as("and the next one a second later").isNotNull();
    JsonNode out = AdminClient.json().readTree(first.getPayload());
    assertThat(out.path("from").asText()).isEqualTo("$schedule/ticker");
    assertThat(out.path("run").path("scheduledTime").asText()).endsWith("Z");
    assertThat(new String(second.getPayload(), StandardCharsets.UTF_8))
        .isNotEqualTo(new String(first.getPayload(), StandardCharsets.UTF_8));

    CliRun list = cli("functions", "list");
    assertThat(list.out()).contains("ticker").contains("every 1s next ");
    JsonNode json = AdminClient.json().readTree(cli("functions", "list", "--json").out());
    JsonNode schedule = json.path("functions").get(0).path("schedule");
    assertThat(schedule.path("every").asText()).isEqualTo("1s");
    assertThat(schedule.path("runs").asLong()).isPositive();
    assertThat(schedule.path("nextRun").asText()).endsWith("Z");

    assertThat(cli("functions", "remove", "ticker").exit()).isZero();
  }
}
