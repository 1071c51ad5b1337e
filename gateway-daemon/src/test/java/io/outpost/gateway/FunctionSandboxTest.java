package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Counter;
import io.outpost.function.runtime.FunctionState;
import io.outpost.gateway.cli.FunctionJars;
import io.outpost.gateway.config.ConfigLoader;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken tenant functions under real limits in a running daemon: while one eats memory or forks
 * without end, a device's publish still reaches a local subscriber and a cloud-routed message is
 * still spooled; the hit is counted under the function's name; removing the function leaves no
 * process behind.
 */
@Timeout(180)
class FunctionSandboxTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {listen: "127.0.0.1:0"}
      routes:
        - {from: local, filter: "devices/+/telemetry", to: cloud}
      """;

  @TempDir Path dir;

  private Gateway gateway;
  private MqttClient device;
  private final List<String> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startDaemon() throws Exception {
    Path config =
        Files.writeString(dir.resolve("outpost.yaml"), CONFIG.formatted(dir.resolve("data")));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "sensor-1", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setAutomaticReconnect(false);
    device.connect(options);
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("devices/#", 1)},
        new IMqttMessageListener[] {
          (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8))
        });
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    gateway.stop(Duration.ofSeconds(10));
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private double hits(String function, String limit) {
    Counter c =
        gateway
            .registry()
            .find("outpost.function.limit.hits")
            .tag("function", function)
            .tag("limit", limit)
            .counter();
    return c == null ? 0 : c.count();
  }

  /** The site's lifeline while {@code function} misbehaves: local delivery and the spool. */
  private void lifelineHolds(int n) throws Exception {
    long spooled = gateway.spool().stats().depth();
    String payload = "{\"reading\":" + n + "}";
    device.publish("devices/pump-7/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(WAIT).until(() -> received.contains(payload));
    assertThat(gateway.spool().stats().depth()).isEqualTo(spooled + 1);
  }

  private void removedWithoutTrace(String function) {
    assertThat(gateway.functions().remove(function)).isTrue();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                    .isEmpty());
  }

  @Test
  void aJavaFunctionRetainingMemoryBeyondItsLimitEndsOnlyItsOwnJvm() throws Exception {
    gateway
        .functions()
        .deploy(
            FunctionJars.jar(
                dir,
                "hoarder",
                """
        name: hoarder
        version: 1
        handler: %s
        triggers: ["hog/in"]
        inputEncoding: binary
        timeoutMillis: 30000
        limits: {memoryMiB: 96}
        """
                    .formatted(HoardHandler.class.getName()),
                HoardHandler.class));

    device.publish("hog/in", "more".getBytes(StandardCharsets.UTF_8), 1, false);
    lifelineHolds(1);

    await().atMost(WAIT).until(() -> hits("hoarder", "memory") >= 1);
    assertThat(gateway.functions().get("hoarder").orElseThrow().state())
        .isIn(FunctionState.ERRORED, FunctionState.BROKEN, FunctionState.RUNNING);
    lifelineHolds(2);
    removedWithoutTrace("hoarder");
    lifelineHolds(3);
  }

  @Test
  void aProcessFunctionForkingWithoutEndIsHeldToItsProcessLimit() throws Exception {
    Path pkg = Files.createDirectories(dir.resolve("forker"));
    Files.writeString(
        pkg.resolve("forker.py"),
        """
        import json, subprocess, sys
        children = []
        for line in sys.stdin:
            req = json.loads(line)
            try:
                while True:
                    children.append(subprocess.Popen(["sleep", "300"]))
            except OSError as e:
                print(json.dumps({"id": req["id"], "error": "fork refused after %d: %s" % (len(children), e)}),
                      flush=True)
        """);
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        """
        name: forker
        version: 1
        runtime: process
        command: [python3, forker.py]
        triggers: ["fork/in"]
        lifecycle: pinned
        timeoutMillis: 20000
        limits: {maxProcesses: 16}
        """);
    gateway.functions().deploy(pkg);

    device.publish("fork/in", "{}".getBytes(StandardCharsets.UTF_8), 1, false);
    lifelineHolds(1);

    if (gateway.functions().sandboxMode()
        != io.outpost.function.runtime.sandbox.SandboxMode.RLIMIT) {
      await().atMost(WAIT).until(() -> hits("forker", "processes") >= 1);
    }
    lifelineHolds(2);
    removedWithoutTrace("forker");
    lifelineHolds(3);
  }
}
