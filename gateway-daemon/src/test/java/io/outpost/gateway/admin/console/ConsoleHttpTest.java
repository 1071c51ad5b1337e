package io.outpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.Gateway;
import io.outpost.gateway.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin listener's open and session-protected doors over real HTTP: health probes without a
 * token, {@code /metrics} behind the token unless {@code admin.openMetrics}, the console's login,
 * session cookie and CSRF check, and the bound on live streams.
 */
@Timeout(60)
class ConsoleHttpTest {

  private static final Pattern CSRF =
      Pattern.compile("<meta name=\"csrf-token\" content=\"([0-9a-f]{64})\">");

  @TempDir Path dir;

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(10));
    }
  }

  private void start(String adminExtras) throws Exception {
    gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"%s}
        """
                        .formatted(dir.resolve("data"), adminExtras),
                    "test"));
  }

  private String token() throws Exception {
    return Files.readString(dir.resolve("data").resolve("admin.token")).trim();
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> login(String token) throws Exception {
    return send(
        request("/ui/login")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))));
  }

  /** The session cookie's {@code name=value} from a login response. */
  private static String sessionCookie(HttpResponse<String> login) {
    String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void healthProbesAnswerWithoutATokenAndRevealOnlyUpOrDown() throws Exception {
    start("");

    HttpResponse<String> live = send(request("/health/live"));
    HttpResponse<String> ready = send(request("/health/ready"));

    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(live.body())).isEqualTo(new JsonObject().put("status", "UP"));
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(ready.body())).isEqualTo(new JsonObject().put("status", "UP"));
    assertThat(send(request("/metrics")).statusCode())
        .as("metrics need the token by default")
        .isEqualTo(401);
    assertThat(send(request("/api/status")).statusCode()).isEqualTo(401);
    assertThat(send(request("/metrics").header("Authorization", "Bearer " + token())).statusCode())
        .isEqualTo(200);
  }

  @Test
  void metricsAreOpenWhenConfiguredAndTheRestStaysProtected() throws Exception {
    start(", openMetrics: true");

    HttpResponse<String> metrics = send(request("/metrics"));

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("outpost_spool_max_bytes", "outpost_functions_broken");
    assertThat(send(request("/api/status")).statusCode()).isEqualTo(401);
    assertThat(send(request("/api/clients")).statusCode()).isEqualTo(401);
  }

  @Test
  void loginGivesAStrictHttpOnlySessionAndEveryChangeNeedsItsCsrfToken() throws Exception {
    start("");
    HttpResponse<String> anonymous = send(request("/ui/"));
    assertThat(anonymous.statusCode()).isEqualTo(303);
    assertThat(anonymous.headers().firstValue("location")).hasValue("/ui/login");

    HttpResponse<String> refused = login("not-the-token");
    assertThat(refused.statusCode()).isEqualTo(303);
    assertThat(refused.headers().firstValue("location")).hasValue("/ui/login?failed=1");
    assertThat(refused.headers().firstValue("set-cookie")).isEmpty();
    assertThat(send(request("/ui/login?failed=1")).body())
        .contains("not this daemon's admin token");

    HttpResponse<String> accepted = login(token());
    assertThat(accepted.statusCode()).isEqualTo(303);
    assertThat(accepted.headers().firstValue("location")).hasValue("/ui/");
    String setCookie = accepted.headers().firstValue("set-cookie").orElseThrow();
    // cookie attribute names are case-insensitive (Netty writes "HTTPOnly")
    assertThat(setCookie).startsWith(Console.COOKIE + "=").doesNotContain(token());
    assertThat(setCookie.toLowerCase(java.util.Locale.ROOT))
        .contains("; httponly")
        .contains("; samesite=strict")
        .contains("; path=/")
        .as("no TLS here")
        .doesNotContain("secure");
    String cookie = sessionCookie(accepted);

    HttpResponse<String> page = send(request("/ui/").header("Cookie", cookie));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-security-policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
    Matcher m = CSRF.matcher(page.body());
    assertThat(m.find()).as(page.body()).isTrue();
    String csrf = m.group(1);

    assertThat(send(request("/api/status").header("Cookie", cookie)).statusCode()).isEqualTo(200);
    assertThat(send(request("/ui/session").header("Cookie", cookie)).statusCode()).isEqualTo(204);
    HttpRequest.Builder disconnect =
        request("/api/clients/nobody").header("Cookie", cookie).DELETE();
    assertThat(send(disconnect).statusCode()).as("a change without the CSRF token").isEqualTo(401);
    assertThat(
            send(request("/api/clients/nobody")
                    .header("Cookie", cookie)
                    .header("X-CSRF-Token", "0".repeat(64))
                    .DELETE())
                .statusCode())
        .as("a change with a wrong CSRF token")
        .isEqualTo(401);
    HttpResponse<String> authorized =
        send(
            request("/api/clients/nobody")
                .header("Cookie", cookie)
                .header("X-CSRF-Token", csrf)
                .DELETE());
    assertThat(authorized.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(authorized.body()).getString("error")).isEqualTo("client-not-found");

    HttpResponse<String> logout =
        send(
            request("/ui/logout")
                .header("Cookie", cookie)
                .header("X-CSRF-Token", csrf)
                .POST(HttpRequest.BodyPublishers.noBody()));
    assertThat(logout.statusCode()).isEqualTo(204);
    assertThat(send(request("/api/status").header("Cookie", cookie)).statusCode()).isEqualTo(401);
    assertThat(send(request("/ui/").header("Cookie", cookie)).statusCode()).isEqualTo(303);
    assertThat(send(request("/ui/session").header("Cookie", cookie)).statusCode()).isEqualTo(401);
  }

  @Test
  void liveStreamsBeyondTheBoundAreRefusedAndCounted() throws Exception {
    start(", consoleMaxStreams: 1");
    String cookie = sessionCookie(login(token()));
    HttpRequest events = request("/ui/events").header("Cookie", cookie).build();

    HttpResponse<InputStream> first = http.send(events, HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(first.body(), StandardCharsets.UTF_8))) {
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("content-type")).hasValue("text/event-stream");
      String line;
      do {
        line = lines.readLine();
      } while (line != null && !line.startsWith("data: "));
      assertThat(line).as("a snapshot").isNotNull();
      JsonObject snapshot = new JsonObject(line.substring("data: ".length()));
      assertThat(snapshot.getJsonObject("status").getBoolean("ready")).isTrue();
      assertThat(snapshot.getJsonObject("rates").getMap())
          .containsKeys("inPerSecond", "outPerSecond", "drainPerSecond", "drainEtaSeconds");
      assertThat(snapshot.getJsonArray("clients")).isEmpty();
      assertThat(snapshot.getJsonArray("deadLetters")).isEmpty();

      HttpResponse<String> second = http.send(events, HttpResponse.BodyHandlers.ofString());
      assertThat(second.statusCode()).isEqualTo(503);
      assertThat(new JsonObject(second.body()).getString("error")).isEqualTo("too-many-streams");
      String metrics =
          send(request("/metrics").header("Authorization", "Bearer " + token())).body();
      assertThat(metrics)
          .contains("outpost_admin_console_streams_rejected_total 1.0")
          .contains("outpost_admin_console_streams 1.0");
    }
    // closing the first stream frees its place
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              HttpResponse<InputStream> again =
                  http.send(events, HttpResponse.BodyHandlers.ofInputStream());
              again.body().close();
              assertThat(again.statusCode()).isEqualTo(200);
            });
    assertThat(send(request("/ui/events")).statusCode())
        .as("no stream without a session")
        .isEqualTo(401);
  }

  @Test
  void loginsBeyondTheConfiguredSessionBoundEndTheLeastRecentlyUsedSessionAndAreCounted()
      throws Exception {
    start(", consoleMaxSessions: 1, consoleSessionIdleMinutes: 5");
    String first = sessionCookie(login(token()));
    assertThat(send(request("/ui/session").header("Cookie", first)).statusCode()).isEqualTo(204);

    String second = sessionCookie(login(token()));

    assertThat(send(request("/ui/session").header("Cookie", second)).statusCode()).isEqualTo(204);
    assertThat(send(request("/ui/session").header("Cookie", first)).statusCode())
        .as("the first session was ended by the second login")
        .isEqualTo(401);
    String metrics = send(request("/metrics").header("Authorization", "Bearer " + token())).body();
    assertThat(metrics)
        .contains("outpost_admin_console_sessions 1.0")
        .contains("outpost_admin_console_sessions_evicted_total 1.0");
  }
}
