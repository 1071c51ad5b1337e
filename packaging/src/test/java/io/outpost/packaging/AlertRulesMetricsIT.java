package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.testkit.StandInCloud;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus alert rules against the shipped daemon: after traffic that registers the
 * lazily created counters (a refused MQTT login), every series, grouping label and literal label
 * value a rule reads is in {@code /metrics}, here scraped without a token as {@code
 * admin.openMetrics: true} allows.
 */
class AlertRulesMetricsIT {

  /** Series Prometheus makes itself when it scrapes, never in a daemon's own output. */
  private static final Set<String> SCRAPE_SERIES = Set.of("up");

  /**
   * Counters registered at their first event that this test cannot provoke: a function hitting a
   * sandbox limit (memory, CPU, time) needs the function sandbox's child processes. Checked by name
   * only when present.
   */
  private static final Set<String> REGISTERED_ON_FIRST_HIT =
      Set.of("outpost_function_limit_hits_total");

  @TempDir Path dir;

  private StandInCloud cloud;
  private LaunchedDaemon daemon;

  @AfterEach
  void tearDown() throws Exception {
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

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everySeriesTheAlertRulesReadIsInAnOpenScrape() throws Exception {
    List<AlertRules.Rule> rules = AlertRules.read(AlertRules.SOURCE);
    cloud = StandInCloud.start();
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: ./data}
        cloud: {url: "%s", clientId: edge-alerts, mqttVersion: "3.1.1"}
        routes:
          - {name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}
        security: {allowAnonymous: false}
        admin: {listen: "127.0.0.1:0", openMetrics: true}
        """
                .formatted(cloud.url()));
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    daemon =
        LaunchedDaemon.jar(
            dir, List.of("-Djava.io.tmpdir=" + tmp), "run", "--config", config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(90);

    MqttClient intruder =
        new MqttClient(
            "tcp://127.0.0.1:" + endpoints.mqttPort(), "intruder", new MemoryPersistence());
    try {
      intruder.connect();
      throw new AssertionError("an anonymous client should be refused");
    } catch (MqttException refused) {
      assertThat(refused.getReasonCode()).isEqualTo(0x87);
    } finally {
      intruder.close();
    }

    HttpClient http = HttpClient.newHttpClient();
    HttpRequest scrape =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoints.adminPort() + "/metrics"))
            .build();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        MetricsScrape.parse(
                                http.send(scrape, HttpResponse.BodyHandlers.ofString()).body())
                            .value(
                                "outpost_security_auth_failures_total",
                                Map.of("reason", "anonymous")))
                    .isEqualTo(1));
    HttpResponse<String> open = http.send(scrape, HttpResponse.BodyHandlers.ofString());
    assertThat(open.statusCode()).isEqualTo(200);
    MetricsScrape metrics = MetricsScrape.parse(open.body());

    List<String> problems = new ArrayList<>();
    for (AlertRules.Rule rule : rules) {
      GrafanaDashboard.Query query = AlertRules.query(rule);
      boolean pending =
          query.metrics().stream().anyMatch(REGISTERED_ON_FIRST_HIT::contains)
              && query.metrics().stream().noneMatch(metrics.names()::contains);
      if (query.metrics().stream().allMatch(SCRAPE_SERIES::contains) || pending) {
        continue;
      }
      problems.addAll(GrafanaDashboard.problems(query, metrics));
    }
    assertThat(problems).as("alert rules this daemon cannot answer").isEmpty();

    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(daemon.output()).isZero();
  }
}
