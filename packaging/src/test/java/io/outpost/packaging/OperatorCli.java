package io.outpost.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator CLI as an operator runs it: {@code java -jar target/outpost.jar COMMAND...} as a
 * separate process, with its standard output and standard error kept apart (scripts parse one and
 * read the other).
 */
final class OperatorCli {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Exit code, standard output and standard error of one command. */
  record Run(List<String> command, int exitCode, String out, String err) {

    /** Standard output parsed as JSON; fails the test with both streams if it is not JSON. */
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + this, e);
      }
    }

    @Override
    public String toString() {
      return String.join(" ", command)
          + " exited "
          + exitCode
          + "\n--- stdout:\n"
          + out
          + "--- stderr:\n"
          + err;
    }
  }

  private final Path workDir;
  private final List<String> daemonOptions;
  private int runs;

  /**
   * For the commands that talk to a daemon: each gets {@code --config CONFIG --admin-url ADMIN}
   * appended. The admin URL is explicit because the test daemon's {@code admin.listen} is port 0,
   * which the configuration cannot tell.
   */
  OperatorCli(Path workDir, Path config, int adminPort) {
    this(
        workDir,
        List.of("--config", config.toString(), "--admin-url", "http://127.0.0.1:" + adminPort));
  }

  /** For commands that need no daemon (help, version). */
  OperatorCli(Path workDir) {
    this(workDir, List.of());
  }

  private OperatorCli(Path workDir, List<String> daemonOptions) {
    this.workDir = workDir;
    this.daemonOptions = daemonOptions;
  }

  /**
   * {@code outpost ARGS... [--config ... --admin-url ...]}, run to completion in the working
   * directory.
   */
  Run run(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a short-lived client: the interpreter and C1 start fastest and leave the CPU to
                // the daemon
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-jar",
                Artifacts.JAR.toString()));
    command.addAll(List.of(args));
    command.addAll(daemonOptions);
    int n = ++runs;
    Path out = workDir.resolve("cli-" + n + ".out");
    Path err = workDir.resolve("cli-" + n + ".err");
    Process process =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + TIMEOUT
                + ":\n"
                + Files.readString(out, StandardCharsets.UTF_8)
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new Run(
          command,
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
