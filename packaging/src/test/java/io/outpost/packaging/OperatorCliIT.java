package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator CLI against a running daemon, both as real processes from the shipped jar: {@code
 * status}, {@code clients}, {@code spool}, {@code reload} and SIGHUP report and change what the
 * daemon really does, with the exit codes docs/operations.md promises. The daemon has no cloud
 * link, so everything routed to the cloud stays in the spool and the spool's depth per route shows
 * which routes are in force.
 */
class OperatorCliIT {

  private static final String BASE_CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: ./data}
      admin: {listen: "127.0.0.1:0"}
      routes:
        - {name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}
      """;

  /** The route the reload tests add: alarms go to the cloud too. */
  private static final String WITH_ALARMS =
      BASE_CONFIG + "  - {name: alarms, from: local, filter: \"devices/+/alarm\", to: cloud}\n";

  /**
   * Drops the alarms route and adds one with an invalid priority on line 6: must be refused as a
   * whole.
   */
  private static final String INVALID =
      BASE_CONFIG
          + "  - {name: sirens, from: local, filter: \"devices/+/siren\", to: cloud, priority: 12}\n";

  private static final String INVALID_KEY = ":6: routes[1].priority: must be 0..9, not 12";

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path config;
  private LaunchedDaemon daemon;
  private AdminHttp admin;
  private OperatorCli cli;
  private int mqttPort;
  private final List<AutoCloseable> devices = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (AutoCloseable device : devices) {
        device.close();
      }
    } finally {
      if (daemon != null) {
        daemon.close();
      }
    }
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void statusClientsAndSpoolReportWhatTheDaemonServesAndDisconnectDropsADevice() throws Exception {
    start(BASE_CONFIG);
    V5Device pump = connectV5("pump-7");
    V3Device valve = connectV3("valve-3");
    long payloadBytes = 0;
    for (int i = 0; i < 3; i++) {
      payloadBytes += pump.publish("devices/pump-7/telemetry", "{\"pressure\":3." + i + "}");
    }
    for (int i = 0; i < 2; i++) {
      payloadBytes += valve.publish("devices/valve-3/telemetry", "{\"open\":" + (i == 0) + "}");
    }
    pump.publish(
        "devices/pump-7/alarm", "overpressure"); // no route: delivered locally only, not spooled

    OperatorCli.Run status = cli.run("status");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out())
        .containsPattern("(?m)^ready\\s+yes$")
        .containsPattern("(?m)^clients\\s+2$")
        .containsPattern("(?m)^cloud\\s+not-configured$")
        .containsPattern("(?m)^spool\\s+5 messages, \\d+ of 1073741824 bytes")
        .containsPattern("(?m)^last reload\\s+-$");

    OperatorCli.Run statusJson = cli.run("status", "--json");
    assertThat(statusJson.exitCode()).as(statusJson.toString()).isZero();
    JsonNode s = statusJson.json();
    assertThat(s.path("ready").asBoolean()).as(statusJson.toString()).isTrue();
    assertThat(s.path("broker").path("connectedClients").asInt()).isEqualTo(2);
    assertThat(s.path("cloud").path("state").asText()).isEqualTo("not-configured");
    assertThat(s.path("spool").path("depth").asLong()).isEqualTo(5);

    OperatorCli.Run spool = cli.run("spool", "--json");
    assertThat(spool.exitCode()).as(spool.toString()).isZero();
    JsonNode sp = spool.json();
    assertThat(depthByRoute(sp)).as(spool.toString()).containsExactly(Map.entry("telemetry", 5L));
    assertThat(sp.path("depth").asLong()).isEqualTo(5);
    assertThat(sp.path("inFlight").asLong()).as("nothing leased without a cloud link").isZero();
    assertThat(sp.path("bytes").asLong())
        .as("stored size covers the payloads")
        .isGreaterThanOrEqualTo(payloadBytes)
        .isEqualTo(s.path("spool").path("bytes").asLong());

    OperatorCli.Run clients = cli.run("clients", "--json");
    assertThat(clients.exitCode()).as(clients.toString()).isZero();
    assertThat(protocolById(clients.json()))
        .containsOnly(Map.entry("pump-7", "mqtt5"), Map.entry("valve-3", "mqtt3.1.1"));

    OperatorCli.Run disconnect = cli.run("clients", "disconnect", "valve-3");
    assertThat(disconnect.exitCode()).as(disconnect.toString()).isZero();
    assertThat(disconnect.out().strip()).isEqualTo("disconnected valve-3");
    assertThat(valve.lost)
        .as("valve-3 sees its connection lost")
        .succeedsWithin(Duration.ofSeconds(10));
    assertThat(pump.isConnected()).as("the other device stays connected").isTrue();

    // the broker forgets the connection once its socket closed, which follows the disconnect
    // asynchronously
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(protocolById(JSON.readTree(admin.get("api/clients"))))
                    .doesNotContainKey("valve-3"));
    OperatorCli.Run again = cli.run("clients", "disconnect", "valve-3");
    assertThat(again.exitCode()).as(again.toString()).isEqualTo(66);
    assertThat(again.out()).as(again.toString()).isEmpty();
    assertThat(again.err()).contains("client-not-found").contains("'valve-3'");

    OperatorCli.Run after = cli.run("clients", "--json");
    assertThat(after.exitCode()).as(after.toString()).isZero();
    assertThat(protocolById(after.json())).containsOnly(Map.entry("pump-7", "mqtt5"));
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void reloadAppliesAValidFileLiveAndRefusesAnInvalidOneNamingTheKey() throws Exception {
    start(BASE_CONFIG);
    V5Device pump = connectV5("pump-7");
    String connectedAt = connectedAt("pump-7");
    pump.publish("devices/pump-7/telemetry", "{\"pressure\":3.2}");
    pump.publish("devices/pump-7/alarm", "overpressure"); // not routed yet

    Files.writeString(config, WITH_ALARMS);
    OperatorCli.Run reload = cli.run("reload");
    assertThat(reload.exitCode()).as(reload.toString()).isZero();
    assertThat(reload.out().strip()).as(reload.toString()).isEqualTo("applied routes");
    pump.publish("devices/pump-7/alarm", "overpressure");
    assertThat(spoolDepthByRoute())
        .as("the new route is in force")
        .containsOnly(Map.entry("telemetry", 1L), Map.entry("alarms", 1L));

    Files.writeString(config, INVALID);
    OperatorCli.Run refused = cli.run("reload");
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(78);
    assertThat(refused.out()).as(refused.toString()).isEmpty();
    assertThat(refused.err()).as(refused.toString()).contains(config + INVALID_KEY);
    assertThat(refused.err())
        .as("the daemon's own verdict, not only the CLI's")
        .contains("invalid-config: ");
    pump.publish("devices/pump-7/alarm", "overpressure");
    pump.publish("devices/pump-7/siren", "on");

    // the file on disk is still the refused one: admin commands reach the daemon all the same
    assertThat(spoolDepthByRoute())
        .as("the previous routes run on, none of the refused file's")
        .containsOnly(Map.entry("telemetry", 1L), Map.entry("alarms", 2L));
    JsonNode lastReload = statusJson().path("lastReload");
    assertThat(lastReload.path("accepted").asBoolean(true)).as(lastReload.toString()).isFalse();
    assertThat(lastReload.path("summary").asText()).contains(INVALID_KEY);
    assertThat(pump.isConnected()).isTrue();
    assertThat(pump.lost).as("the device connection stayed up through both reloads").isNotDone();
    assertThat(connectedAt("pump-7"))
        .as("the same connection, not a reconnect")
        .isEqualTo(connectedAt);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void sighupReloadsLikeTheCommand() throws Exception {
    start(BASE_CONFIG);
    V5Device pump = connectV5("pump-7");
    String connectedAt = connectedAt("pump-7");

    Files.writeString(config, WITH_ALARMS);
    daemon.hangUp();
    JsonNode applied = awaitReload(true);
    assertThat(applied.path("summary").asText()).isEqualTo("applied routes");
    pump.publish("devices/pump-7/alarm", "overpressure");
    assertThat(spoolDepthByRoute())
        .as("the new route is in force")
        .containsOnly(Map.entry("alarms", 1L));

    Files.writeString(config, INVALID);
    daemon.hangUp();
    JsonNode rejected = awaitReload(false);
    assertThat(rejected.path("summary").asText())
        .startsWith("rejected: ")
        .contains(config + INVALID_KEY);
    pump.publish("devices/pump-7/alarm", "overpressure");
    pump.publish("devices/pump-7/siren", "on");
    // the file on disk is still the refused one: the CLI reaches the daemon all the same
    assertThat(spoolDepthByRoute())
        .as("the previous routes run on")
        .containsOnly(Map.entry("alarms", 2L));

    OperatorCli.Run status = cli.run("status");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    assertThat(status.out())
        .containsPattern("(?m)^last reload\\s+\\S+ rejected: .*routes\\[1\\]\\.priority");
    assertThat(daemon.output()).contains("received SIGHUP, reloading the configuration");
    assertThat(pump.lost).as("SIGHUP did not drop the device").isNotDone();
    assertThat(connectedAt("pump-7")).isEqualTo(connectedAt);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void helpAndVersionWorkWithoutADaemon() throws Exception {
    OperatorCli offline = new OperatorCli(dir);

    OperatorCli.Run help = offline.run("--help");
    assertThat(help.exitCode()).as(help.toString()).isZero();
    assertThat(help.out())
        .startsWith("Usage: outpost ")
        .containsPattern("(?m)^\\s+status\\s")
        .containsPattern("(?m)^\\s+clients\\s")
        .containsPattern("(?m)^\\s+spool\\s")
        .containsPattern("(?m)^\\s+reload\\s")
        .containsPattern("(?m)^\\s+version\\s");

    OperatorCli.Run subHelp = offline.run("clients", "disconnect", "--help");
    assertThat(subHelp.exitCode()).as(subHelp.toString()).isZero();
    assertThat(subHelp.out())
        .startsWith("Usage: outpost clients disconnect ")
        .contains("CLIENT_ID")
        .contains("--config=FILE")
        .contains("--admin-url=URL");

    String expected;
    try (JarFile jar = new JarFile(Artifacts.JAR.toFile())) {
      expected = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
    }
    assertThat(expected).as("the jar's manifest version").isNotBlank();
    OperatorCli.Run version = offline.run("version");
    assertThat(version.exitCode()).as(version.toString()).isZero();
    assertThat(version.out().lines().findFirst())
        .as(version.toString())
        .contains("outpost " + expected);

    OperatorCli.Run typo = offline.run("stauts");
    assertThat(typo.exitCode()).as("bad command line: " + typo).isEqualTo(64);
    assertThat(typo.err()).contains("stauts");
  }

  private void start(String yaml) throws Exception {
    config = Files.writeString(dir.resolve("outpost.yaml"), yaml);
    daemon = LaunchedDaemon.jar(dir, "run", "--config", config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(60);
    admin = new AdminHttp(endpoints.adminPort(), dir.resolve("data"));
    cli = new OperatorCli(dir, config, endpoints.adminPort());
    mqttPort = endpoints.mqttPort();
  }

  private JsonNode statusJson() throws Exception {
    OperatorCli.Run status = cli.run("status", "--json");
    assertThat(status.exitCode()).as(status.toString()).isZero();
    return status.json();
  }

  private Map<String, Long> spoolDepthByRoute() throws Exception {
    OperatorCli.Run spool = cli.run("spool", "--json");
    assertThat(spool.exitCode()).as(spool.toString()).isZero();
    return depthByRoute(spool.json());
  }

  private String connectedAt(String clientId) throws Exception {
    OperatorCli.Run clients = cli.run("clients", "--json");
    assertThat(clients.exitCode()).as(clients.toString()).isZero();
    for (JsonNode c : clients.json().path("clients")) {
      if (c.path("clientId").asText().equals(clientId)) {
        return c.path("connectedAt").asText();
      }
    }
    throw new AssertionError(clientId + " is not connected: " + clients);
  }

  /**
   * Waits until the daemon's last reload (the admin API's status) has the given verdict; returns
   * it.
   */
  private JsonNode awaitReload(boolean accepted) {
    return await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> JSON.readTree(admin.get("api/status")).path("lastReload"),
            r -> r.isObject() && r.path("accepted").asBoolean() == accepted);
  }

  private static Map<String, Long> depthByRoute(JsonNode spool) {
    Map<String, Long> depths = new LinkedHashMap<>();
    spool
        .path("depthByRoute")
        .fields()
        .forEachRemaining(e -> depths.put(e.getKey(), e.getValue().asLong()));
    return depths;
  }

  private static Map<String, String> protocolById(JsonNode clients) {
    Map<String, String> protocols = new LinkedHashMap<>();
    for (JsonNode c : clients.path("clients")) {
      protocols.put(c.path("clientId").asText(), c.path("protocol").asText());
    }
    return protocols;
  }

  private V5Device connectV5(String clientId) throws MqttException {
    V5Device device =
        new V5Device(
            new MqttClient("tcp://127.0.0.1:" + mqttPort, clientId, new MemoryPersistence()));
    devices.add(device);
    device.client.connect();
    return device;
  }

  private V3Device connectV3(String clientId) throws org.eclipse.paho.client.mqttv3.MqttException {
    V3Device device =
        new V3Device(
            new org.eclipse.paho.client.mqttv3.MqttClient(
                "tcp://127.0.0.1:" + mqttPort,
                clientId,
                new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence()));
    devices.add(device);
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    device.client.connect(options);
    return device;
  }

  /** An MQTT 5 device; {@code lost} completes when the server ends its connection. */
  private static final class V5Device implements MqttCallback, AutoCloseable {
    final MqttClient client;
    final CompletableFuture<MqttDisconnectResponse> lost = new CompletableFuture<>();

    V5Device(MqttClient client) {
      this.client = client;
      client.setCallback(this);
    }

    /**
     * Publishes at QoS 1; returns once the PUBACK arrived, i.e. once a routed message is in the
     * spool.
     */
    int publish(String topic, String payload) throws MqttException {
      byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
      client.publish(topic, bytes, 1, false);
      return bytes.length;
    }

    boolean isConnected() {
      return client.isConnected();
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      lost.complete(response);
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void messageArrived(String topic, MqttMessage message) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}

    @Override
    public void close() throws MqttException {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    }
  }

  /** An MQTT 3.1.1 device; {@code lost} completes with the cause when its connection is lost. */
  private static final class V3Device
      implements org.eclipse.paho.client.mqttv3.MqttCallback, AutoCloseable {
    final org.eclipse.paho.client.mqttv3.MqttClient client;
    final CompletableFuture<Throwable> lost = new CompletableFuture<>();

    V3Device(org.eclipse.paho.client.mqttv3.MqttClient client) {
      this.client = client;
      client.setCallback(this);
    }

    int publish(String topic, String payload) throws org.eclipse.paho.client.mqttv3.MqttException {
      byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
      client.publish(topic, bytes, 1, false);
      return bytes.length;
    }

    @Override
    public void connectionLost(Throwable cause) {
      lost.complete(cause);
    }

    @Override
    public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {}

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {}

    @Override
    public void close() throws org.eclipse.paho.client.mqttv3.MqttException {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    }
  }
}
