package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.ExitCodes;
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
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dead letters end to end against Moquette as the cloud: messages spooled while offline that the
 * cloud link then cannot send (larger than {@code cloud.maxMessageBytes}) are listed over the admin
 * HTTP API and by {@code outpost spool dead-letters}, and once the operator has raised the limit,
 * {@code POST /api/spool/dead-letters/{id}/retry} and {@code outpost spool retry} put them back
 * into the spool, from where they reach the cloud.
 */
@Timeout(120)
class DeadLetterRetryTest {

  private static final String ROUTES =
      "routes: [{name: telemetry, from: local, filter: \"devices/+/telemetry\", to: cloud}]\n";
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final StandInCloud cloud = StandInCloud.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private LocalDaemon daemon;

  @AfterEach
  void stop() {
    try {
      if (daemon != null) {
        daemon.close();
      }
    } finally {
      cloud.close();
    }
  }

  private static final String CLOUD =
      "cloud: {url: \"%s\", clientId: edge-dl, mqttVersion: \"3.1.1\", "
          + "maxMessageBytes: %d, backoff: {initialMillis: 50, maxMillis: 500}}";

  /**
   * Starts the daemon with a cloud link limited to {@code maxMessageBytes}, or offline when it is
   * {@code null}.
   */
  private void startDaemon(Integer maxMessageBytes) throws Exception {
    String link =
        maxMessageBytes == null ? "" : CLOUD.formatted(cloud.url(), maxMessageBytes) + "\n";
    daemon = LocalDaemon.start(dir, link + ROUTES);
  }

  private CliRun cli(String... args) {
    return daemon.cli(args);
  }

  private HttpResponse<String> admin(String method, String path) throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(daemon.adminUrl() + path))
            .header("Authorization", "Bearer " + token)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private JsonObject adminJson(String path) throws Exception {
    HttpResponse<String> r = admin("GET", path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private long deadLetterCount() throws Exception {
    return adminJson("/api/spool").getLong("deadLetters");
  }

  private List<String> cloudPayloads() {
    return cloud.received("devices/+/telemetry").stream().map(StandInCloud.Received::text).toList();
  }

  private static String big(String name) {
    return name + ":" + "x".repeat(200);
  }

  @Test
  void refusedMessagesAreListedAndRetriedOverHttpAndTheCli() throws Exception {
    // spooled while offline; the cloud link configured afterwards sends at most 64 bytes, so it
    // dead-letters them
    // (with a link in place they would have been refused at ingress instead)
    startDaemon(null);
    MqttClient device = new MqttClient(daemon.mqttUrl(), "pump-1", new MemoryPersistence());
    try {
      device.connect();
      for (String payload : List.of(big("first"), big("second"), "small")) {
        device.publish(
            "devices/pump-1/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1, false);
      }
    } finally {
      device.disconnect();
      device.close();
    }
    daemon.close();
    startDaemon(64);
    // the small one went through, so both large ones were drained before it and refused
    await().atMost(WAIT).until(() -> cloudPayloads().contains("small"));
    await().atMost(WAIT).until(() -> deadLetterCount() == 2);

    JsonArray listed = adminJson("/api/spool/dead-letters").getJsonArray("deadLetters");
    assertThat(listed).hasSize(2);
    List<Long> ids = listed.stream().map(o -> ((JsonObject) o).getLong("id")).sorted().toList();
    for (Object o : listed) {
      JsonObject d = (JsonObject) o;
      assertThat(d.getString("route")).isEqualTo("telemetry");
      assertThat(d.getString("topic")).isEqualTo("devices/pump-1/telemetry");
      assertThat(d.getString("reason")).startsWith("too-large").contains("cloud.maxMessageBytes");
      assertThat(d.getLong("payloadBytes")).isGreaterThan(200L);
    }
    CliRun table = cli("spool", "dead-letters");
    assertThat(table.exit()).as(table.err()).isZero();
    for (long id : ids) {
      assertThat(table.out())
          .containsPattern("(?m)^\\s*" + id + "\\s+telemetry\\s+devices/pump-1/telemetry\\s+");
    }
    assertThat(table.out()).contains("too-large");
    assertThat(cloudPayloads()).containsExactly("small");

    // the operator raises the limit; dead letters survive the restart
    daemon.close();
    startDaemon(131_072);
    await().atMost(WAIT).until(() -> daemon.gateway().isReady());
    assertThat(deadLetterCount()).isEqualTo(2);

    HttpResponse<String> retried =
        admin("POST", "/api/spool/dead-letters/" + ids.get(0) + "/retry");
    assertThat(retried.statusCode()).as(retried.body()).isEqualTo(200);
    assertThat(new JsonObject(retried.body()).getLong("retried")).isEqualTo(ids.get(0));
    await().atMost(WAIT).until(() -> cloudPayloads().size() == 2);
    assertThat(deadLetterCount()).isEqualTo(1);

    CliRun retry = cli("spool", "retry", Long.toString(ids.get(1)));
    assertThat(retry.exit()).as(retry.err()).isZero();
    assertThat(retry.out()).contains("dead letter " + ids.get(1) + " queued for sending again");
    await().atMost(WAIT).until(() -> cloudPayloads().size() == 3);
    assertThat(cloudPayloads()).containsExactlyInAnyOrder("small", big("first"), big("second"));
    assertThat(deadLetterCount()).isZero();
    assertThat(adminJson("/api/spool/dead-letters").getJsonArray("deadLetters")).isEmpty();
    assertThat(daemon.gateway().isReady()).isTrue();

    CliRun again = cli("spool", "retry", Long.toString(ids.get(1)));
    assertThat(again.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(again.err()).contains("dead-letter-not-found");
    HttpResponse<String> gone = admin("POST", "/api/spool/dead-letters/" + ids.get(0) + "/retry");
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(gone.body()).getString("error")).isEqualTo("dead-letter-not-found");
  }
}
