package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.Gateway;
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
 * {@code outpost reload} against a running daemon with a deployed function and a connected device:
 * function settings change live, invalid ones are refused, and the device never notices.
 */
@Timeout(120)
class ReloadCliTest {

  private static final String BASE =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {listen: "127.0.0.1:0"}
      """;

  @TempDir Path dir;

  private Gateway gateway;
  private Path config;
  private Path cliConfig;
  private MqttClient device;
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final List<Path> gates = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startDaemon() throws Exception {
    config = Files.writeString(dir.resolve("outpost.yaml"), BASE.formatted(dir.resolve("data")));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    cliConfig = Files.copy(config, dir.resolve("cli.yaml"));
    CliRun deployed = cli("functions", "deploy", FunctionJars.gate(dir).toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();

    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "sensor-1", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setAutomaticReconnect(false);
    device.connect(options);
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("gate/started", 1)},
        new IMqttMessageListener[] {
          (t, m) -> started.add(new String(m.getPayload(), StandardCharsets.UTF_8))
        });
  }

  @AfterEach
  void stopDaemon() throws Exception {
    for (Path gate : gates) {
      if (!Files.exists(gate)) {
        Files.writeString(gate, "open");
      }
    }
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    gateway.stop(Duration.ofSeconds(10));
  }

  private CliRun cli(String... args) {
    return CliRun.against(cliConfig, "http://127.0.0.1:" + gateway.adminPort(), args);
  }

  private CliRun reloadWith(String functionsSection) throws Exception {
    Files.writeString(config, BASE.formatted(dir.resolve("data")) + functionsSection);
    return cli("reload");
  }

  /** A gate file that does not exist yet (opened in @AfterEach at the latest). */
  private Path closedGate(String name) {
    Path gate = dir.resolve(name);
    gates.add(gate);
    return gate;
  }

  private void publish(String payload) throws Exception {
    device.publish("gate/in", payload.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  @Test
  void newConcurrencyAndTimeoutApplyLiveWithoutDisconnectingTheDevice() throws Exception {
    CliRun concurrency =
        reloadWith("functions: {overrides: {gate: {maxConcurrency: 2, timeoutMillis: 60000}}}\n");

    assertThat(concurrency.exit()).as(concurrency.err()).isZero();
    assertThat(concurrency.out()).contains("applied functions (restarted: gate)");
    Path first = closedGate("first");
    Path second = closedGate("second");
    publish(first.toString());
    publish(second.toString());
    // With the default concurrency of 1 the second would wait for the first, whose gate is still
    // closed.
    await().atMost(Duration.ofSeconds(30)).until(() -> started.size() == 2);
    Files.writeString(first, "open");
    Files.writeString(second, "open");

    CliRun timeout = reloadWith("functions: {overrides: {gate: {timeoutMillis: 1000}}}\n");
    CliRun invoked =
        cli(
            "functions",
            "invoke",
            "gate",
            "--topic",
            "gate/in",
            "--payload",
            closedGate("third").toString());

    assertThat(timeout.exit()).as(timeout.err()).isZero();
    assertThat(invoked.out()).startsWith("timeout").contains("timed out after 1000 ms");
    assertThat(device.isConnected())
        .as("the device stayed connected through both reloads")
        .isTrue();
    publish(first.toString());
    await("the device's publishes still trigger the function")
        .atMost(Duration.ofSeconds(30))
        .until(() -> started.stream().filter(first.toString()::equals).count() == 2);
  }

  @Test
  void invalidFunctionSettingIsRejectedAndTheRunningOnesStay() throws Exception {
    assertThat(reloadWith("functions: {overrides: {gate: {timeoutMillis: 1000}}}\n").exit())
        .isZero();

    CliRun rejected = reloadWith("functions: {overrides: {gate: {timeoutMillis: -5}}}\n");
    CliRun invoked =
        cli(
            "functions",
            "invoke",
            "gate",
            "--topic",
            "gate/in",
            "--payload",
            closedGate("closed").toString());

    assertThat(rejected.exit()).isEqualTo(ExitCodes.CONFIG);
    assertThat(rejected.err())
        .contains("invalid-config")
        .contains("functions.overrides.gate.timeoutMillis")
        .contains("must be > 0");
    assertThat(invoked.out())
        .as("the 1000 ms timeout stays in force")
        .contains("timed out after 1000 ms");
    assertThat(cli("functions", "list", "--json").out()).contains("\"timeoutMillis\" : 1000");
    assertThat(cli("status").out()).contains("last reload").contains("rejected: ");
    assertThat(device.isConnected()).isTrue();
  }
}
