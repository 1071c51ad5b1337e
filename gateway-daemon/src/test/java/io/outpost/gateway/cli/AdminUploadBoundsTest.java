package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.Gateway;
import io.outpost.gateway.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API's configured upload bounds: 413 with a stable code, a metric, and new bounds on
 * reload.
 */
@Timeout(120)
class AdminUploadBoundsTest {

  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {listen: "127.0.0.1:0", %s}
      """;

  @TempDir Path dir;

  private Gateway gateway;
  private Path config;
  private Path cliConfig;

  @BeforeEach
  void startDaemon() throws Exception {
    config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            CONFIG.formatted(dir.resolve("data"), "maxPackageBytes: 100, maxPackageFiles: 2"));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    cliConfig = Files.copy(config, dir.resolve("cli.yaml"));
  }

  @AfterEach
  void stopDaemon() {
    gateway.stop(Duration.ofSeconds(10));
  }

  private CliRun cli(String... args) {
    return CliRun.against(cliConfig, "http://127.0.0.1:" + gateway.adminPort(), args);
  }

  private HttpResponse<String> http(String method, String path, byte[] body) throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).strip();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/java-archive")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body))
            .timeout(Duration.ofSeconds(30))
            .build();
    return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void packageOverTheBoundGets413AndIsCounted() throws Exception {
    byte[] jar = Files.readAllBytes(FunctionJars.gate(dir));

    HttpResponse<String> refused = http("POST", "/api/functions", jar);

    assertThat(jar.length).isGreaterThan(100);
    assertThat(refused.statusCode()).isEqualTo(413);
    assertThat(refused.body())
        .contains("\"error\":\"package-too-large\"")
        .contains("admin.maxPackageBytes");
    assertThat(http("GET", "/metrics", null).body())
        .contains("outpost_admin_uploads_rejected_total{reason=\"package-too-large\"} 1.0")
        .contains(
            "outpost_admin_uploads_rejected_total{reason=\"package-has-too-many-files\"} 0.0");
    assertThat(cli("functions", "list").out()).doesNotContain("gate");
  }

  @Test
  void zippedDirectoryWithTooManyFilesGets413() throws Exception {
    Files.writeString(config, CONFIG.formatted(dir.resolve("data"), "maxPackageFiles: 2"));
    assertThat(cli("reload").out()).contains("applied admin limits (maxPackageBytes)");
    Path pkg = Files.createDirectories(dir.resolve("pkg"));
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        "name: p\nversion: '1'\nruntime: process\ncommand: [cat]\n");
    Files.writeString(pkg.resolve("a.txt"), "a");
    Files.writeString(pkg.resolve("b.txt"), "b");

    CliRun refused = cli("functions", "deploy", pkg.toString());

    assertThat(refused.exit()).isNotZero();
    assertThat(refused.err())
        .contains("package-has-too-many-files")
        .contains("admin.maxPackageFiles");
    assertThat(http("GET", "/metrics", null).body())
        .contains(
            "outpost_admin_uploads_rejected_total{reason=\"package-has-too-many-files\"} 1.0");
  }

  @Test
  void raisedBoundAppliesOnReload() throws Exception {
    Path jar = FunctionJars.gate(dir);
    assertThat(cli("functions", "deploy", jar.toString()).err()).contains("package-too-large");

    Files.writeString(config, CONFIG.formatted(dir.resolve("data"), "maxPackageBytes: 1048576"));
    CliRun reload = cli("reload");
    CliRun deployed = cli("functions", "deploy", jar.toString());

    assertThat(reload.out()).contains("applied admin limits (maxPackageBytes, maxPackageFiles)");
    assertThat(deployed.exit()).as(deployed.err()).isZero();
    assertThat(deployed.out()).contains("deployed gate 1.0.0");
    assertThat(http("GET", "/metrics", null).body())
        .contains("outpost_config_reloads_total{result=\"applied\"} 1.0");
    assertThat(cli("status").out()).contains("last reload").contains("applied admin limits");
  }
}
