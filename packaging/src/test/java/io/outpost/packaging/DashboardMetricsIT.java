package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.testkit.StandInCloud;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard against the shipped daemon: after traffic that exercises every
 * panel (telemetry spooled and delivered to a cloud, a local function invoked, a message dropped
 * for an offline session), every sample name, grouping label and selected label value the
 * dashboard's PromQL uses is in the daemon's {@code /metrics}.
 */
class DashboardMetricsIT {

  private static final String FUNCTION = "dashboard-probe";
  private static final String DESCRIPTOR =
      """
      name: %s
      version: 1.0.0
      runtime: java
      handler: %s
      triggers: ["probe/#"]
      """
          .formatted(FUNCTION, DashboardProbeFunction.class.getName());

  @TempDir Path dir;

  private StandInCloud cloud;
  private LaunchedDaemon daemon;
  private final List<MqttClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (MqttClient client : clients) {
        if (client.isConnected()) {
          client.disconnect();
        }
        client.close();
      }
    } finally {
      try {
        if (daemon != null) {
          daemon.close();
        }
      } finally {
        if (cloud != null) {
          cloud.close();
        }
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyMetricTheDashboardQueriesIsInTheDaemonsScrape() throws Exception {
    List<GrafanaDashboard.Query> queries = GrafanaDashboard.queries(GrafanaDashboard.SOURCE);
    assertThat(queries)
        .as("the dashboard's PromQL expressions")
        .hasSizeGreaterThan(20)
        .allSatisfy(q -> assertThat(q.metrics()).as(q.where() + ": " + q.expr()).isNotEmpty());

    cloud = StandInCloud.start();
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: ./data}
        cloud: {url: "%s", clientId: edge-dashboard, mqttVersion: "3.1.1"}
        routes:
          - {name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(cloud.url()));
    // its temp files (SQLite's native library, Vert.x's cache) in the test's directory, not in /tmp
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    daemon =
        LaunchedDaemon.jar(
            dir, List.of("-Djava.io.tmpdir=" + tmp), "run", "--config", config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(90);
    AdminHttp admin = new AdminHttp(endpoints.adminPort(), dir.resolve("data"));
    assertThat(admin.post("api/functions", functionJar(), "application/java-archive"))
        .contains(FUNCTION);

    String broker = "tcp://127.0.0.1:" + endpoints.mqttPort();
    // a persistent session subscribed at QoS 0 that goes offline: a QoS 0 message for it is dropped
    // and counted
    MqttClient sleeper = connect(broker, "sleeper", false);
    sleeper.subscribe("alerts/#", 0);
    sleeper.disconnect();
    MqttClient device = connect(broker, "pump-7", true);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        MetricsScrape.parse(admin.get("metrics"))
                            .value("outpost_broker_connections"))
                    .isEqualTo(1));
    device.publish("alerts/pump-7", "overpressure".getBytes(StandardCharsets.UTF_8), 0, false);
    for (int i = 0; i < 5; i++) {
      device.publish(
          "devices/pump-7/telemetry",
          ("{\"seq\":" + i + "}").getBytes(StandardCharsets.UTF_8),
          1,
          false);
    }
    device.publish("probe/pump-7", "{\"pressure\":3.2}".getBytes(StandardCharsets.UTF_8), 1, false);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(cloud.count("devices/+/telemetry")).isGreaterThanOrEqualTo(5);
              MetricsScrape scrape = MetricsScrape.parse(admin.get("metrics"));
              assertThat(scrape.value("outpost_cloud_delivered_total")).isGreaterThanOrEqualTo(5);
              assertThat(
                      scrape.value(
                          "outpost_function_invocations_total",
                          Map.of("function", FUNCTION, "outcome", "ok")))
                  .isEqualTo(1);
              assertThat(
                      scrape.value(
                          "outpost_broker_messages_dropped_total",
                          Map.of("reason", "qos0-offline")))
                  .isEqualTo(1);
            });
    MetricsScrape scrape = MetricsScrape.parse(admin.get("metrics"));

    List<String> problems = new ArrayList<>();
    for (GrafanaDashboard.Query query : queries) {
      problems.addAll(GrafanaDashboard.problems(query, scrape));
    }
    assertThat(problems).as("dashboard queries this daemon cannot answer").isEmpty();

    device.disconnect();
    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(daemon.output()).isZero();
  }

  private MqttClient connect(String broker, String clientId, boolean cleanStart)
      throws MqttException {
    MqttClient client = new MqttClient(broker, clientId, new MemoryPersistence());
    clients.add(client);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    if (!cleanStart) {
      options.setSessionExpiryInterval(300L);
    }
    client.connect(options);
    return client;
  }

  /**
   * A function package of {@link DashboardProbeFunction}'s class file and a descriptor, as {@code
   * mvn package} makes.
   */
  private static byte[] functionJar() throws IOException {
    String classFile = DashboardProbeFunction.class.getName().replace('.', '/') + ".class";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes);
        InputStream handler =
            DashboardProbeFunction.class.getClassLoader().getResourceAsStream(classFile)) {
      assertThat(handler).as(classFile).isNotNull();
      jar.putNextEntry(new JarEntry("outpost-function.yaml"));
      jar.write(DESCRIPTOR.getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
      jar.putNextEntry(new JarEntry(classFile));
      handler.transferTo(jar);
      jar.closeEntry();
    }
    return bytes.toByteArray();
  }
}
