package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost functions dev} as a user runs it, in its own process against a running daemon: it
 * deploys the project, redeploys it when a file changes, ignores build output, and exits 0 on
 * Ctrl-C (SIGINT).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class FunctionsDevCommandTest {

  @TempDir Path dir;

  private LocalDaemon daemon;
  private Process dev;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startDaemon() throws Exception {
    assumeTrue(PythonUnittest.available(), "python3 is needed");
    daemon = LocalDaemon.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (dev != null && dev.isAlive()) {
      dev.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private String version() throws Exception {
    CliRun list = daemon.cli("functions", "list", "--json");
    for (var f : AdminClient.json().readTree(list.out()).path("functions")) {
      if (f.path("name").asText().equals("ticker")) {
        return f.path("version").asText();
      }
    }
    return null;
  }

  @Test
  void redeploysOnEachChangeAndExitsZeroOnCtrlC() throws Exception {
    Path project =
        ScheduledFunctionsCliTest.tickerProject(dir.resolve("ticker"), "1.0.0", "every: 1h");
    dev =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OutpostCommand.class.getName(),
                "functions",
                "dev",
                project.toString(),
                "--debounce",
                "100",
                "--config",
                daemon.config().toString(),
                "--admin-url",
                daemon.adminUrl())
            .redirectErrorStream(true)
            .start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
              }
            },
            "dev-output");
    reader.setDaemon(true);
    reader.start();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> lines.stream().anyMatch(l -> l.startsWith("deployed ticker 1.0.0")));
    assertThat(version()).isEqualTo("1.0.0");

    Files.createDirectories(project.resolve("target"));
    Files.writeString(project.resolve("target").resolve("ignored.txt"), "build output");
    Path descriptor = project.resolve("outpost-function.yaml");
    Files.writeString(
        descriptor, Files.readString(descriptor).replace("version: 1.0.0", "version: 1.1.0"));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                lines.stream().anyMatch(l -> l.startsWith("deployed ticker 1.1.0 (running) in ")));
    assertThat(version()).isEqualTo("1.1.0");
    assertThat(lines).anyMatch(l -> l.equals("changed: outpost-function.yaml"));
    assertThat(lines).noneMatch(l -> l.contains("ignored.txt"));

    Files.writeString(descriptor, "name: ticker\nversion: 1.2.0\nruntime: cobol\n");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> lines.stream().anyMatch(l -> l.startsWith("deploy failed: ")));
    assertThat(version()).as("a bad edit keeps the running version").isEqualTo("1.1.0");

    new ProcessBuilder("kill", "-INT", Long.toString(dev.pid())).start().waitFor();
    assertThat(dev.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(dev.exitValue()).as(String.join("\n", lines)).isZero();
    reader.join(5_000);
    assertThat(lines).anyMatch(l -> l.startsWith("stopped watching "));
  }
}
