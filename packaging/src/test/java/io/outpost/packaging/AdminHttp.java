package io.outpost.packaging;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A launched daemon's admin API, authenticated with the token the daemon wrote to {@code
 * admin.token}.
 */
final class AdminHttp {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final URI base;
  private final String token;

  /**
   * For the admin API on {@code 127.0.0.1:port} of a daemon whose {@code storage.dir} is {@code
   * dataDir}.
   */
  AdminHttp(int port, Path dataDir) throws IOException {
    this.base = URI.create("http://127.0.0.1:" + port + "/");
    this.token = Files.readString(dataDir.resolve("admin.token")).trim();
  }

  /** {@code GET path}; fails the test unless the answer is 200. */
  String get(String path) throws IOException, InterruptedException {
    return send(request(path).GET().build());
  }

  /** {@code POST path} with a body; fails the test unless the answer is 200. */
  String post(String path, byte[] body, String contentType)
      throws IOException, InterruptedException {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  /**
   * {@code DELETE path}, waiting up to {@code timeout} (removing a function waits for its processes
   * to end); fails the test unless the answer is 200.
   */
  String delete(String path, Duration timeout) throws IOException, InterruptedException {
    return send(request(path).timeout(timeout).DELETE().build());
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + token);
  }

  private String send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new AssertionError(
          request.method()
              + " "
              + request.uri()
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return response.body();
  }
}
