package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.ExitCodes;
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
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost spool dead-letters list|delete|purge|export} and their admin API against a daemon
 * whose cloud link (Moquette) dead-letters three messages, spooled before it was configured, as
 * larger than {@code cloud.maxMessageBytes}.
 */
@Timeout(120)
class DeadLetterOperationsCliTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final StandInCloud cloud = StandInCloud.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private LocalDaemon daemon;

  @BeforeEach
  void threeDeadLetters() throws Exception {
    // spooled while the daemon has no cloud link; the link configured next sends at most 64 bytes,
    // so it dead-letters them (with the link in place they would be refused at ingress instead)
    String routes =
        "routes: [{name: telemetry, from: local, filter: \"devices/+/telemetry\", to: cloud}]\n";
    daemon = LocalDaemon.start(dir, routes);
    MqttClient device = new MqttClient(daemon.mqttUrl(), "pump-9", new MemoryPersistence());
    try {
      device.connect();
      for (String payload : List.of(big("a"), big("b"), big("c"))) {
        device.publish(
            "devices/pump-9/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1, false);
      }
    } finally {
      device.disconnect();
      device.close();
    }
    daemon.close();
    daemon = null;
    daemon =
        LocalDaemon.start(
            dir,
            "cloud: {url: \"%s\", clientId: edge-dlo, mqttVersion: \"3.1.1\", maxMessageBytes: 64,"
                    .formatted(cloud.url())
                + " backoff: {initialMillis: 50, maxMillis: 500}}\n"
                + routes);
    await().atMost(WAIT).until(() -> deadLetterCount() == 3);
  }

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

  private static String big(String name) {
    return name + ":" + "x".repeat(200);
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

  private long deadLetterCount() throws Exception {
    return new JsonObject(admin("GET", "/api/spool").body()).getLong("deadLetters");
  }

  private static List<JsonObject> lines(String ndjson) {
    return ndjson.lines().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
  }

  @Test
  void exportWritesEveryDeadLetterAsJsonLinesToStdoutOrAFile() throws Exception {
    CliRun stdout = cli("spool", "dead-letters", "export");
    assertThat(stdout.exit()).as(stdout.err()).isZero();
    List<JsonObject> exported = lines(stdout.out());
    assertThat(exported)
        .hasSize(3)
        .allSatisfy(
            d -> {
              assertThat(d.getString("route")).isEqualTo("telemetry");
              assertThat(d.getString("topic")).isEqualTo("devices/pump-9/telemetry");
              assertThat(d.getString("reason")).contains("too-large");
              assertThat(d.getString("payloadEncoding")).isEqualTo("utf8");
              assertThat(d.getString("originClientId")).isEqualTo("pump-9");
            });
    assertThat(exported)
        .extracting(d -> d.getString("payload"))
        .containsExactly(big("a"), big("b"), big("c"));

    Path file = dir.resolve("dead.jsonl");
    CliRun toFile = cli("spool", "dead-letters", "export", "--output", file.toString());
    assertThat(toFile.exit()).as(toFile.err()).isZero();
    assertThat(toFile.out()).isEmpty();
    assertThat(lines(Files.readString(file))).isEqualTo(exported);
    try (var listing = Files.list(dir)) {
      assertThat(listing.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".partial"));
    }

    CliRun nowhere =
        cli("spool", "dead-letters", "export", "-o", dir.resolve("missing/dead.jsonl").toString());
    assertThat(nowhere.exit()).isEqualTo(ExitCodes.CANT_CREATE);
    assertThat(nowhere.err()).contains("cannot write").doesNotContain("Exception");
    assertThat(deadLetterCount()).as("exporting deletes nothing").isEqualTo(3);
  }

  @Test
  void deleteRemovesNamedDeadLettersAndReportsUnknownIdsWithExit66() throws Exception {
    List<Long> ids =
        lines(cli("spool", "dead-letters", "export").out()).stream()
            .map(d -> d.getLong("id"))
            .toList();

    CliRun list = cli("spool", "dead-letters", "list");
    assertThat(list.exit()).as(list.err()).isZero();
    ids.forEach(
        id -> assertThat(list.out()).containsPattern("(?m)^\\s*" + id + "\\s+telemetry\\s+"));

    CliRun delete = cli("spool", "dead-letters", "delete", ids.get(0).toString());
    assertThat(delete.exit()).as(delete.err()).isZero();
    assertThat(delete.out()).contains("dead letter " + ids.get(0) + " deleted");
    assertThat(deadLetterCount()).isEqualTo(2);

    CliRun again =
        cli("spool", "dead-letters", "delete", ids.get(0).toString(), ids.get(1).toString());
    assertThat(again.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(again.err()).contains("no dead letter with id " + ids.get(0));
    assertThat(again.out()).contains("dead letter " + ids.get(1) + " deleted");

    HttpResponse<String> gone = admin("DELETE", "/api/spool/dead-letters/" + ids.get(1));
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(gone.body()).getString("error")).isEqualTo("dead-letter-not-found");
    HttpResponse<String> deleted = admin("DELETE", "/api/spool/dead-letters/" + ids.get(2));
    assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
    assertThat(deadLetterCount()).isZero();
    assertThat(cli("spool", "dead-letters", "retry", ids.get(2).toString()).exit())
        .isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void purgeNeedsYesThenDeletesEveryDeadLetter() throws Exception {
    CliRun unconfirmed = cli("spool", "dead-letters", "purge");
    assertThat(unconfirmed.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(unconfirmed.err()).contains("would delete 3 dead letter(s)").contains("--yes");
    assertThat(deadLetterCount()).isEqualTo(3);

    CliRun purge = cli("spool", "dead-letters", "purge", "--yes");
    assertThat(purge.exit()).as(purge.err()).isZero();
    assertThat(purge.out()).contains("3 dead letter(s) deleted");
    assertThat(deadLetterCount()).isZero();
    assertThat(new JsonObject(admin("GET", "/api/spool").body()).getLong("depth"))
        .as("nothing was put back into the spool")
        .isZero();

    CliRun empty = cli("spool", "dead-letters", "export");
    assertThat(empty.exit()).isZero();
    assertThat(empty.out()).isEmpty();
  }
}
