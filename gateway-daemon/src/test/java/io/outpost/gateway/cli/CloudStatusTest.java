package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.outpost.cloud.CloudLink;
import io.outpost.gateway.Gateway;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.testkit.FaultProxy;
import io.outpost.testkit.StandInCloud;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The cloud link's status explains itself, against the stand-in cloud behind a fault proxy going
 * down and coming back: {@code /api/status} and {@code outpost status} show the URL, the last error
 * in plain words, the next retry, the drain rate and ETA; repeated failed attempts are logged once,
 * and the drained backlog is logged.
 */
@Timeout(120)
class CloudStatusTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int BACKLOG = 40;

  @TempDir Path dir;

  private final StandInCloud cloud = StandInCloud.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private final Logger linkLogger = (Logger) LoggerFactory.getLogger(CloudLink.class);
  private FaultProxy proxy;
  private Gateway gateway;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    log.start();
    linkLogger.addAppender(log);
    proxy = FaultProxy.toTcp(cloud.port());
    proxy.refuse(true);
    config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        cloud: {url: "%s", clientId: edge-status, mqttVersion: "3.1.1",
                backoff: {initialMillis: 100, maxMillis: 400}}
        routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
        """
                .formatted(dir.resolve("data"), proxy.url()));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (gateway != null) {
        gateway.stop(Duration.ofSeconds(10));
      }
    } finally {
      linkLogger.detachAppender(log);
      if (proxy != null) {
        proxy.close();
      }
      cloud.close();
    }
  }

  private JsonObject cloudStatus() throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + gateway.adminPort() + "/api/status"))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body()).getJsonObject("cloud");
  }

  private List<String> warnings(String containing) {
    return log.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains(containing))
        .toList();
  }

  @Test
  void statusShowsWhyTheLinkIsDownWhenItRetriesAndHowFastTheBacklogDrainsOnceBack()
      throws Exception {
    MqttClient device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "pump-s", new MemoryPersistence());
    try {
      device.connect();
      for (int i = 0; i < BACKLOG; i++) {
        device.publish(
            "devices/pump-s/telemetry", ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
      }
    } finally {
      device.disconnect();
      device.close();
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                cloudStatus().getString("lastError") != null
                    && cloudStatus().getString("nextRetryAt") != null);
    JsonObject down = cloudStatus();
    assertThat(down.getString("url")).isEqualTo(proxy.url());
    assertThat(down.getString("state")).isIn("connecting", "backing-off");
    // the proxy accepts and then closes: what an operator reads is plain words, not a library's
    // exception
    assertThat(down.getString("lastError"))
        .isIn("connection lost", "connection closed by the cloud", "timed out")
        .doesNotContain("Exception")
        .doesNotContain("paho");
    assertThat(Instant.parse(down.getString("lastErrorAt"))).isBeforeOrEqualTo(Instant.now());
    assertThat(Instant.parse(down.getString("nextRetryAt")))
        .isAfter(Instant.parse(down.getString("lastErrorAt")));
    assertThat(down.getDouble("drainPerSecond")).isZero();
    assertThat(down.getLong("etaSeconds"))
        .as("messages waiting, none delivered: unknown")
        .isEqualTo(-1);

    CliRun status = CliRun.against(config, "http://127.0.0.1:" + gateway.adminPort(), "status");
    assertThat(status.out())
        .contains(proxy.url())
        .contains("last error")
        .contains(down.getString("lastError"))
        .contains("next retry")
        .contains("ETA unknown");

    // several attempts failed by now (backoff at most 400 ms), but only the first is logged until
    // the summary
    await().atMost(WAIT).until(() -> cloudStatus().getLong("offlineSeconds") >= 2);
    assertThat(warnings("Cannot connect to the cloud")).hasSize(1);

    proxy.refuse(false);
    await().atMost(WAIT).until(() -> cloud.count("devices/+/telemetry") >= BACKLOG);
    await().atMost(WAIT).until(() -> !warnings("Backlog drained").isEmpty());
    assertThat(warnings("Backlog drained"))
        .singleElement()
        .asString()
        .startsWith("Backlog drained: " + BACKLOG + " messages in ");
    JsonObject up = cloudStatus();
    assertThat(up.getString("state")).isEqualTo("online");
    assertThat(up.getString("nextRetryAt")).isNull();
    assertThat(up.getDouble("drainPerSecond")).isPositive();
    assertThat(up.getLong("etaSeconds")).isZero();
    assertThat(warnings("Cloud link online"))
        .singleElement()
        .asString()
        .contains("more failed attempts");
  }
}
