package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.ExitCodes;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A function's own log against a running daemon: {@code functions invoke} prints the lines of that
 * invocation, {@code functions logs} prints the log with {@code --lines} and {@code --since}, the
 * admin API follows it live (JSON lines and server-sent events), behind the token.
 */
@Timeout(90)
class FunctionsLogsCliTest {

  @TempDir Path dir;

  private LocalDaemon daemon;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startDaemon() throws Exception {
    daemon =
        LocalDaemon.start(dir, "functions: {logs: {maxBytesPerFunction: 65536, maxFiles: 2}}\n");
    Path jar =
        FunctionJars.jar(
            Files.createDirectories(dir.resolve("jars")),
            "logged",
            """
        name: logged
        version: 1.0.0
        handler: %s
        triggers: ["logged/in"]
        isolation: in-process
        inputEncoding: binary
        """
                .formatted(LoggingHandler.class.getName()),
            LoggingHandler.class);
    CliRun deployed = cli("functions", "deploy", jar.toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  private CliRun cli(String... args) {
    return daemon.cli(args);
  }

  private String token() throws Exception {
    return Files.readString(dir.resolve("data").resolve("admin.token")).trim();
  }

  @Test
  void invokePrintsTheLinesOfThatInvocationBesideItsOutput() {
    CliRun first = cli("functions", "invoke", "logged", "--topic", "logged/in", "--payload", "one");
    CliRun json =
        cli("functions", "invoke", "logged", "--topic", "logged/in", "--payload", "two", "--json");

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("-> logged/out one")
        .containsPattern("\\| \\S+Z INFO  handler \\[[0-9a-f]{12}\\] handling one")
        .doesNotContain("version 1.0.0 active");
    JsonObject result = new JsonObject(json.out());
    assertThat(result.getString("invocation")).matches("[0-9a-f]{12}");
    assertThat(result.getJsonArray("logs")).hasSize(1);
    JsonObject line = result.getJsonArray("logs").getJsonObject(0);
    assertThat(line.getString("message")).isEqualTo("handling two");
    assertThat(line.getString("invocation")).isEqualTo(result.getString("invocation"));
    assertThat(line.getString("source")).isEqualTo("handler");
  }

  @Test
  void logsPrintsTheFunctionsLogNewestLast() {
    for (String payload : List.of("a", "b", "c")) {
      assertThat(
              cli("functions", "invoke", "logged", "--topic", "logged/in", "--payload", payload)
                  .exit())
          .isZero();
    }

    CliRun all = cli("functions", "logs", "logged");
    CliRun last = cli("functions", "logs", "logged", "--lines", "1");
    CliRun recent = cli("functions", "logs", "logged", "--since", "10m", "-n", "2");
    CliRun raw = cli("functions", "logs", "logged", "--lines", "1", "--json");

    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.out())
        .contains("INFO  runtime version 1.0.0 active (java runtime, on-demand)")
        .containsSubsequence("handling a", "handling b", "handling c");
    assertThat(last.out().lines()).hasSize(1).allMatch(l -> l.endsWith("handling c"));
    assertThat(recent.out().lines()).hasSize(2);
    assertThat(new JsonObject(raw.out().strip()).getString("message")).isEqualTo("handling c");
  }

  @Test
  void logsOfAnUnknownFunctionOrWithABadSinceFailWithSysexits() {
    CliRun unknown = cli("functions", "logs", "nope");
    CliRun badSince = cli("functions", "logs", "logged", "--since", "yesterday-ish");
    CliRun badLines = cli("functions", "logs", "logged", "--lines", "0");

    assertThat(unknown.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(unknown.err()).contains("no function named 'nope'");
    assertThat(badSince.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(badSince.err()).contains("since: expected a duration such as 30s");
    assertThat(badLines.exit()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void theLogEndpointNeedsTheToken() throws Exception {
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(URI.create(daemon.adminUrl() + "/api/functions/logged/logs"))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(anonymous.statusCode()).isEqualTo(401);
  }

  @Test
  void followStreamsTheRecentLinesThenNewOnesAsJsonLinesAndAsEvents() throws Exception {
    cli("functions", "invoke", "logged", "--topic", "logged/in", "--payload", "before");
    HttpResponse<InputStream> ndjson = follow("application/x-ndjson");
    HttpResponse<InputStream> sse = follow("text/event-stream");
    try (BufferedReader lines =
            new BufferedReader(new InputStreamReader(ndjson.body(), StandardCharsets.UTF_8));
        BufferedReader events =
            new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
      assertThat(ndjson.headers().firstValue("content-type")).hasValue("application/x-ndjson");
      assertThat(new JsonObject(lines.readLine()).getString("message"))
          .isEqualTo("handling before");
      assertThat(events.readLine()).isEqualTo(": following logged");
      assertThat(events.readLine()).isEmpty();
      assertThat(events.readLine()).startsWith("data: ").contains("handling before");

      cli("functions", "invoke", "logged", "--topic", "logged/in", "--payload", "after");

      assertThat(new JsonObject(lines.readLine()).getString("message")).isEqualTo("handling after");
      assertThat(events.readLine()).isEmpty();
      assertThat(events.readLine()).startsWith("data: ").contains("handling after");
    }
  }

  private HttpResponse<InputStream> follow(String accept) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(daemon.adminUrl() + "/api/functions/logged/logs?follow=true&lines=1"))
            .header("Authorization", "Bearer " + token())
            .header("Accept", accept)
            .build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }
}
