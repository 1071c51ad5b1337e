package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.admin.AdminToken;
import io.outpost.gateway.config.AdminConfig;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.OutpostConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How CLI commands reach a running daemon: the admin address and token file come from the same
 * configuration the daemon runs on ({@code --config}, else {@code ./outpost.yaml}, {@code
 * $OUTPOST_CONFIG}, {@code /etc/outpost/outpost.yaml}, else the built-in one), or from explicit
 * options.
 */
final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin ConfigOption config;

  @Option(
      names = "--admin-url",
      paramLabel = "URL",
      description = "Admin API base URL (default: from the config).")
  URI adminUrl;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "Admin token file (default: admin.tokenFile, or admin.token in storage.dir).")
  Path tokenFile;

  @Option(names = "--json", description = "Print the daemon's JSON instead of a table.")
  boolean json;

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A failure the command reports with an exit code; the message is for the operator. */
  static final class AdminException extends Exception {
    final int exitCode;

    AdminException(int exitCode, String message) {
      super(message);
      this.exitCode = exitCode;
    }
  }

  JsonNode get(String path) throws AdminException {
    return send("GET", path, HttpRequest.BodyPublishers.noBody(), "application/json");
  }

  JsonNode post(String path, JsonNode body) throws AdminException {
    return send(
        "POST",
        path,
        HttpRequest.BodyPublishers.ofString(body == null ? "{}" : body.toString()),
        "application/json");
  }

  JsonNode post(String path, byte[] body, String contentType) throws AdminException {
    return send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), contentType);
  }

  JsonNode delete(String path) throws AdminException {
    return send("DELETE", path, HttpRequest.BodyPublishers.noBody(), "application/json");
  }

  /**
   * Copies a streamed response body (an export) to {@code into} as it arrives, without holding it
   * in memory.
   *
   * @throws AdminException as the other requests; an interrupted transfer with {@link
   *     ExitCodes#UNAVAILABLE}
   */
  void download(String path, java.io.Writer into) throws AdminException, IOException {
    Target target = target();
    HttpRequest request =
        HttpRequest.newBuilder(target.base.resolve(path))
            .header("Authorization", "Bearer " + target.token)
            .GET()
            .build();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<java.io.InputStream> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (ConnectException e) {
      throw new AdminException(
          ExitCodes.UNAVAILABLE, "daemon not reachable at " + target.base + " (is it running?)");
    } catch (IOException e) {
      throw new AdminException(
          ExitCodes.UNAVAILABLE, "admin API at " + target.base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminException(ExitCodes.SOFTWARE, "interrupted");
    }
    try (java.io.Reader body =
        new java.io.InputStreamReader(response.body(), java.nio.charset.StandardCharsets.UTF_8)) {
      if (response.statusCode() == 401) {
        throw new AdminException(
            ExitCodes.NO_PERMISSION, "the daemon refused the admin token from " + target.tokenFile);
      }
      if (response.statusCode() >= 400) {
        java.io.StringWriter error = new java.io.StringWriter();
        body.transferTo(error);
        JsonNode node = parse(error.toString());
        throw new AdminException(
            response.statusCode() == 404 ? ExitCodes.NOT_FOUND : ExitCodes.SOFTWARE,
            node.path("error").asText("error")
                + ": "
                + node.path("message").asText(error.toString()));
      }
      char[] buffer = new char[8192];
      while (true) {
        int n;
        try {
          n = body.read(buffer);
        } catch (IOException e) {
          throw new AdminException(
              ExitCodes.UNAVAILABLE,
              "the transfer from " + target.base + " broke off: " + e.getMessage());
        }
        if (n < 0) {
          return;
        }
        into.write(
            buffer, 0, n); // a failed write is the caller's (its file), so it stays an IOException
      }
    }
  }

  /** Encodes one path segment (a client id, a function name). */
  static String segment(String value) {
    return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)
        .replace("+", "%20");
  }

  static ObjectMapper json() {
    return JSON;
  }

  private JsonNode send(
      String method, String path, HttpRequest.BodyPublisher body, String contentType)
      throws AdminException {
    Target target = target();
    HttpRequest request =
        HttpRequest.newBuilder(target.base.resolve(path))
            .timeout(TIMEOUT)
            .header("Authorization", "Bearer " + target.token)
            .header("Content-Type", contentType)
            .method(method, body)
            .build();
    HttpResponse<String> response;
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new AdminException(
          ExitCodes.UNAVAILABLE, "daemon not reachable at " + target.base + " (is it running?)");
    } catch (IOException e) {
      throw new AdminException(ExitCodes.UNAVAILABLE, "admin API at " + target.base + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AdminException(ExitCodes.SOFTWARE, "interrupted");
    }
    JsonNode node = parse(response.body());
    if (response.statusCode() == 401) {
      throw new AdminException(
          ExitCodes.NO_PERMISSION, "the daemon refused the admin token from " + target.tokenFile);
    }
    if (response.statusCode() >= 400) {
      String message = node.path("message").asText(response.body());
      int exit =
          switch (response.statusCode()) {
            case 404 -> ExitCodes.NOT_FOUND;
            case 422 -> ExitCodes.CONFIG;
            default -> ExitCodes.SOFTWARE;
          };
      throw new AdminException(exit, node.path("error").asText("error") + ": " + message);
    }
    return node;
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("message", body);
    }
  }

  private record Target(URI base, String token, Path tokenFile) {}

  private Target target() throws AdminException {
    OutpostConfig c;
    try {
      c = config.loadForAdmin(warning -> System.err.println("outpost: warning: " + warning));
    } catch (ConfigException e) {
      throw new AdminException(ExitCodes.CONFIG, "invalid configuration: " + e.getMessage());
    }
    AdminConfig admin = c.admin();
    URI base =
        adminUrl != null
            ? adminUrl
            : URI.create("http://" + hostForUrl(admin.host()) + ":" + admin.port());
    Path file = tokenFile != null ? tokenFile : admin.tokenPath(c.dataDir());
    try {
      return new Target(
          base.toString().endsWith("/") ? base : URI.create(base + "/"),
          AdminToken.read(file),
          file);
    } catch (NoSuchFileException e) {
      throw new AdminException(
          ExitCodes.NOT_FOUND,
          "no admin token at "
              + file
              + ": the daemon creates it at its"
              + " first start; is the daemon running with this configuration ("
              + config.describe()
              + ")?");
    } catch (AccessDeniedException e) {
      throw new AdminException(
          ExitCodes.NO_PERMISSION,
          "cannot read the admin token "
              + file
              + ": permission denied; run as the daemon's user or root");
    } catch (IOException e) {
      throw new AdminException(
          ExitCodes.NO_PERMISSION, "cannot read the admin token " + file + ": " + e.getMessage());
    }
  }

  private static String hostForUrl(String host) {
    if ("0.0.0.0".equals(host) || host.isEmpty()) {
      return "127.0.0.1";
    }
    if ("::".equals(host)) {
      return "[::1]";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
