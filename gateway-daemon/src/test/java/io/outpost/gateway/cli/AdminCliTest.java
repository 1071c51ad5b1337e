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
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator CLI against a running daemon, over the real admin HTTP API. */
class AdminCliTest {

  @TempDir Path dir;

  private Gateway gateway;
  private Path config;
  private Path cliConfig;
  private String adminUrl;
  private final List<MqttClient> clients = new ArrayList<>();

  @BeforeEach
  void startDaemon() throws Exception {
    config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(dir.resolve("data")));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    // The CLI reads its own copy, so tests can break the daemon's file without breaking the CLI.
    cliConfig = Files.copy(config, dir.resolve("cli.yaml"));
    adminUrl = "http://127.0.0.1:" + gateway.adminPort();
  }

  @AfterEach
  void stopDaemon() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnect();
      }
      c.close();
    }
    gateway.stop(Duration.ofSeconds(10));
  }

  private CliRun cli(String... args) {
    return CliRun.against(cliConfig, adminUrl, args);
  }

  private MqttClient device(String id) throws Exception {
    MqttClient c =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), id, new MemoryPersistence());
    clients.add(c);
    c.connect();
    return c;
  }

  @Test
  void statusShowsReadinessAsTableAndJson() {
    CliRun table = cli("status");
    CliRun json = cli("status", "--json");

    assertThat(table.exit()).as(table.err()).isZero();
    assertThat(table.out()).contains("ready").contains("yes").contains("not-configured");
    assertThat(json.exit()).isZero();
    assertThat(json.out()).contains("\"ready\" : true").contains("\"connectedClients\"");
  }

  @Test
  void clientsListsConnectedDevicesAndDisconnectDropsOne() throws Exception {
    MqttClient pump = device("pump-7");

    CliRun list = cli("clients");
    CliRun drop = cli("clients", "disconnect", "pump-7");
    CliRun missing = cli("clients", "disconnect", "no-such-client");

    assertThat(list.exit()).isZero();
    assertThat(list.out()).contains("CLIENT ID").contains("pump-7").contains("mqtt");
    assertThat(drop.exit()).as(drop.err()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> !pump.isConnected());
    assertThat(missing.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).contains("client-not-found");
  }

  @Test
  void spoolShowsWhatWaitsPerRoute() throws Exception {
    MqttClient pump = device("pump-8");
    pump.publish("devices/pump-8/telemetry", "1".getBytes(StandardCharsets.UTF_8), 1, false);
    pump.publish("devices/pump-8/telemetry", "2".getBytes(StandardCharsets.UTF_8), 1, false);

    CliRun spool = cli("spool");
    CliRun json = cli("spool", "--json");
    CliRun deadLetters = cli("spool", "dead-letters");

    assertThat(spool.exit()).as(spool.err()).isZero();
    assertThat(spool.out()).containsPattern("telemetry\\s+2");
    assertThat(json.out()).contains("\"depth\" : 2");
    assertThat(deadLetters.exit()).isZero();
    assertThat(deadLetters.out()).contains("REASON");
  }

  @Test
  void reloadAppliesNewRoutesLiveAndRejectsAnInvalidFile() throws Exception {
    MqttClient pump = device("pump-9");
    String original = Files.readString(config);
    Files.writeString(config, original.replace("devices/+/telemetry", "sensors/#"));

    CliRun applied = cli("reload");
    pump.publish("sensors/t1", "1".getBytes(StandardCharsets.UTF_8), 1, false);
    pump.publish("devices/pump-9/telemetry", "2".getBytes(StandardCharsets.UTF_8), 1, false);

    assertThat(applied.exit()).as(applied.err()).isZero();
    assertThat(applied.out()).contains("applied routes");
    assertThat(pump.isConnected()).as("device connections survive a reload").isTrue();
    assertThat(cli("spool", "--json").out())
        .as("only the new route spools")
        .contains("\"depth\" : 1");

    Files.writeString(config, original.replace("routes:", "routez:"));
    CliRun rejected = cli("reload");

    assertThat(rejected.exit()).isEqualTo(ExitCodes.CONFIG);
    assertThat(rejected.err()).contains("invalid-config").contains("unknown key 'routez'");
    pump.publish("sensors/t1", "3".getBytes(StandardCharsets.UTF_8), 1, false);
    assertThat(cli("spool", "--json").out())
        .as("the running routes stay in force")
        .contains("\"depth\" : 2");
  }

  @Test
  void reloadAppliesBrokerLimitsAndNamesTheKeysThatNeedARestart() throws Exception {
    Files.writeString(
        config,
        Files.readString(config)
            .replace(
                "broker: {listeners: [{host: 127.0.0.1, port: 0}]}",
                "broker: {listeners: [{host: 127.0.0.1, port: 0}, {host: 127.0.0.1, port: 0}], maxConnections: 5}"));

    CliRun r = cli("reload");

    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("applied broker limits (maxConnections)")
        .contains("restart required for broker.listeners");
  }

  @Test
  void wrongTokenIsRefusedWithItsOwnExitCode() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong.token"), "not-the-token\n");

    CliRun r = cli("status", "--token-file", wrong.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.NO_PERMISSION);
    assertThat(r.err()).contains("refused the admin token");
  }

  @Test
  void unreachableDaemonIsReportedAsUnavailable() {
    gateway.stop(Duration.ofSeconds(10));

    CliRun r = cli("status");

    assertThat(r.exit()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err()).contains("not reachable");
  }
}
