package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.cli.FunctionJars;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.testkit.FaultProxy;
import io.outpost.testkit.StandInCloud;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees over the admin API after real traffic: {@code /health/live}, the {@code
 * /api/status} document and the Prometheus scrape at {@code /metrics}, first while the cloud
 * (Moquette behind a fault proxy) is unreachable, then once it is back.
 *
 * <p>Traffic, the same for every test: one device publishes three telemetry messages (one larger
 * than {@code cloud.maxMessageBytes}, so it is refused at ingress with PUBACK 0x97 and counted as
 * {@code too-large}) and two messages to a deployed Java function, one of which makes it fail.
 */
@Timeout(120)
class AdminObservabilityTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final StandInCloud cloud = StandInCloud.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private FaultProxy proxy;
  private Gateway gateway;
  private MqttClient device;
  private final BlockingQueue<String> shouted = new LinkedBlockingQueue<>();

  @BeforeEach
  void startDaemonAndSendTraffic() throws Exception {
    proxy = FaultProxy.toTcp(cloud.port());
    proxy.refuse(true);
    gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        cloud: {url: "%s", clientId: edge-obs, mqttVersion: "3.1.1", maxMessageBytes: 64,
                backoff: {initialMillis: 50, maxMillis: 200}}
        routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
        """
                        .formatted(dir.resolve("data"), proxy.url()),
                    "test"));
    gateway
        .functions()
        .deploy(
            FunctionJars.jar(
                Files.createDirectories(dir.resolve("jars")),
                "shout",
                """
        name: shout
        version: 1.0.0
        handler: %s
        triggers: ["shout/in"]
        inputEncoding: binary
        """
                    .formatted(ShoutHandler.class.getName()),
                ShoutHandler.class));

    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "pump-3", new MemoryPersistence());
    device.connect();
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("shout/out", 1)},
        new IMqttMessageListener[] {
          (t, m) -> shouted.add(new String(m.getPayload(), StandardCharsets.UTF_8))
        });
    for (String payload : List.of("1", "2", "x".repeat(200))) {
      device.publish(
          "devices/pump-3/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }
    device.publish("shout/in", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
    device.publish("shout/in", new byte[0], 1, false);
    assertThat(shouted.poll(30, TimeUnit.SECONDS)).isEqualTo("HELLO");
    await().atMost(WAIT).until(() -> function(status()).getLong("invocations") == 2);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (device != null) {
        if (device.isConnected()) {
          device.disconnect();
        }
        device.close();
      }
      if (gateway != null) {
        gateway.stop(Duration.ofSeconds(10));
      }
    } finally {
      if (proxy != null) {
        proxy.close();
      }
      cloud.close();
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
            .header("Authorization", "Bearer " + token)
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject status() throws Exception {
    HttpResponse<String> r = get("/api/status");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private static JsonObject function(JsonObject status) {
    JsonArray functions = status.getJsonArray("functions");
    assertThat(functions).hasSize(1);
    return functions.getJsonObject(0);
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = get("/metrics");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    return r.body();
  }

  /** The values of the samples of {@code name} carrying every {@code key="value"} label given. */
  private static List<Double> samples(String scrape, String name, String... labels) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .filter(l -> Arrays.stream(labels).allMatch(l::contains))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .toList();
  }

  /**
   * The value of the one sample of {@code name} carrying every {@code key="value"} label given;
   * fails if none.
   */
  private static double sample(String scrape, String name, String... labels) {
    List<Double> values = samples(scrape, name, labels);
    if (values.size() != 1) {
      fail("expected one sample of %s %s, found %s", name, Arrays.toString(labels), values);
    }
    return values.get(0);
  }

  private static boolean online(JsonObject status) {
    return status.getJsonObject("cloud").getString("state").equals("online");
  }

  @Test
  void liveAnswersUpAndStatusReportsTheSiteWhileOfflineAndOnceTheCloudIsBack() throws Exception {
    HttpResponse<String> live = get("/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body()).getString("status")).isEqualTo("UP");

    JsonObject offline = status();
    assertThat(offline.getString("version")).isNotBlank().isEqualTo(VersionInfo.version());
    assertThat(offline.getLong("uptimeSeconds")).isNotNegative();
    assertThat(offline.getBoolean("ready")).isTrue();
    assertThat(offline.getJsonObject("broker").getInteger("connectedClients")).isEqualTo(1);
    JsonObject link = offline.getJsonObject("cloud");
    assertThat(link.getBoolean("configured")).isTrue();
    assertThat(link.getString("state")).isIn("connecting", "backing-off");
    assertThat(link.getLong("offlineSeconds")).isNotNegative();
    JsonObject spool = offline.getJsonObject("spool");
    assertThat(spool.getLong("depth")).isEqualTo(2);
    assertThat(spool.getJsonObject("depthByRoute").getLong("telemetry")).isEqualTo(2);
    assertThat(spool.getLong("bytes")).isPositive().isLessThan(spool.getLong("maxBytes"));
    assertThat(spool.getLong("oldestAgeSeconds"))
        .isNotNegative()
        .isLessThanOrEqualTo(status().getLong("uptimeSeconds"));
    assertThat(spool.getJsonObject("dropped").getMap())
        .containsOnlyKeys(
            "ttl", "overflow", "rejected-by-cloud", "too-large", "dead-letter-overflow")
        .allSatisfy((reason, count) -> assertThat(((Number) count).longValue()).isZero());
    assertThat(spool.getLong("deadLetters")).isZero();
    assertThat(spool.getBoolean("writable")).isTrue();
    JsonObject fn = function(offline);
    assertThat(fn.getString("name")).isEqualTo("shout");
    assertThat(fn.getString("version")).isEqualTo("1.0.0");
    assertThat(fn.getString("state")).isNotBlank();
    assertThat(fn.getLong("invocations")).isEqualTo(2);
    assertThat(fn.getLong("failures")).isEqualTo(1);
    assertThat(fn.getString("lastError")).contains("nothing to shout");

    proxy.refuse(false);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              JsonObject s = status();
              return online(s)
                  && s.getJsonObject("spool").getLong("deadLetters") == 0
                  && s.getJsonObject("spool").getLong("depth") == 0;
            });
    JsonObject back = status();
    assertThat(back.getJsonObject("cloud").getLong("offlineSeconds")).isZero();
    assertThat(back.getJsonObject("spool").getLong("bytes")).isZero();
    assertThat(back.getJsonObject("spool").getLong("oldestAgeSeconds")).isZero();
    assertThat(back.getJsonObject("spool").getJsonObject("dropped").getLong("rejected-by-cloud"))
        .isZero();
    assertThat(cloud.received("devices/+/telemetry"))
        .extracting(StandInCloud.Received::text)
        .containsExactly("1", "2");
  }

  @Test
  void metricsExportOutpostVertxAndJvmMetersThatFollowTheTraffic() throws Exception {
    String port = Integer.toString(gateway.brokerPorts().get(0));
    String offline = scrape();

    assertThat(sample(offline, "outpost_spool_depth")).isEqualTo(2);
    assertThat(sample(offline, "outpost_spool_bytes")).isPositive();
    assertThat(sample(offline, "outpost_spool_oldest_age_seconds")).isNotNegative();
    assertThat(sample(offline, "outpost_route_spooled", "route=\"telemetry\"")).isEqualTo(2);
    assertThat(
            sample(
                offline,
                "outpost_route_messages_total",
                "route=\"telemetry\"",
                "direction=\"to-cloud\""))
        .isEqualTo(2);
    assertThat(
            sample(
                offline,
                "outpost_broker_listener_messages_received_total",
                "listener=\"127.0.0.1:" + port + "\""))
        .isEqualTo(5);
    assertThat(sample(offline, "outpost_broker_connections")).isEqualTo(1);
    assertThat(sample(offline, "outpost_cloud_link_up")).isZero();
    assertThat(sample(offline, "outpost_cloud_link_offline_seconds")).isPositive();
    assertThat(sample(offline, "outpost_spool_dropped_total", "reason=\"rejected-by-cloud\""))
        .isZero();
    assertThat(
            sample(
                offline,
                "outpost_function_invocations_total",
                "function=\"shout\"",
                "outcome=\"ok\""))
        .isEqualTo(1);
    assertThat(
            sample(
                offline,
                "outpost_function_invocations_total",
                "function=\"shout\"",
                "outcome=\"error\""))
        .isEqualTo(1);

    proxy.refuse(false);
    await().atMost(WAIT).until(() -> gateway.spool().stats().depth() == 0 && online(status()));
    String online = scrape();
    assertThat(sample(online, "outpost_cloud_link_up")).isEqualTo(1);
    assertThat(sample(online, "outpost_cloud_link_offline_seconds")).isZero();
    assertThat(sample(online, "outpost_spool_depth")).isZero();
    assertThat(sample(online, "outpost_spool_dead_letters")).isZero();
    assertThat(sample(online, "outpost_spool_dropped_total", "reason=\"rejected-by-cloud\""))
        .isZero();
    // the 200-byte message was refused at ingress, never acknowledged and dead-lettered
    assertThat(sample(online, "outpost_broker_messages_dropped_total", "reason=\"too-large\""))
        .isEqualTo(1);
    assertThat(sample(online, "outpost_spool_dropped_total", "reason=\"overflow\"")).isZero();
    assertThat(sample(online, "outpost_cloud_delivered_total")).isEqualTo(2);
    assertThat(sample(online, "outpost_cloud_rejected_total")).isZero();

    // Vert.x's own meters: the admin API's HTTP server counts the requests of this test, worker
    // pools are measured,
    // and the per-event "active" gauges are filtered out (VertxMeters)
    String ok = "code=\"200\"";
    assertThat(sample(online, "vertx_http_server_requests_total", ok, "method=\"GET\""))
        .isGreaterThan(sample(offline, "vertx_http_server_requests_total", ok, "method=\"GET\""));
    assertThat(samples(online, "vertx_pool_completed_total")).isNotEmpty();
    assertThat(online.lines()).noneMatch(l -> l.startsWith("vertx_") && l.contains("_active_"));
    // JVM and process meters
    assertThat(samples(online, "jvm_memory_used_bytes", "area=\"heap\""))
        .isNotEmpty()
        .anyMatch(v -> v > 0);
    assertThat(sample(online, "jvm_threads_live_threads")).isPositive();
    assertThat(sample(online, "jvm_classes_loaded_classes")).isPositive();
    assertThat(sample(online, "process_uptime_seconds")).isPositive();
    assertThat(sample(online, "system_cpu_count")).isGreaterThanOrEqualTo(1);
  }
}
