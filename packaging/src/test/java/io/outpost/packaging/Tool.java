package io.outpost.packaging;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An external program (dpkg-deb, systemd-analyze, tar, sh) run to completion with its output
 * captured.
 */
final class Tool {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Exit code and merged stdout/stderr of one run. */
  record Result(int exitCode, String output) {}

  private Tool() {}

  /** Skips the calling test (JUnit assumption) when {@code name} is not on the PATH. */
  static void assumeInstalled(String name) {
    assumeTrue(installed(name), name + " is not installed (CI's .ci/run installs it)");
  }

  static boolean installed(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, name))) {
        return true;
      }
    }
    return false;
  }

  static Result run(String... command) throws IOException, InterruptedException {
    return run(null, Map.of(), DEFAULT_TIMEOUT, command);
  }

  /**
   * Runs {@code command} in {@code workDir} (null: ours) with extra environment; fails the test on
   * timeout.
   */
  static Result run(Path workDir, Map<String, String> env, Duration timeout, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("tool-", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(List.of(command))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      if (workDir != null) {
        builder.directory(workDir.toFile());
      }
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + timeout
                + ":\n"
                + Files.readString(log, StandardCharsets.UTF_8));
      }
      return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /**
   * Like {@link #run(String...)} but fails the test unless the exit code is 0; returns the output.
   */
  static String succeed(String... command) throws IOException, InterruptedException {
    Result result = run(command);
    if (result.exitCode() != 0) {
      throw new AssertionError(
          String.join(" ", command) + " exited " + result.exitCode() + ":\n" + result.output());
    }
    return result.output();
  }
}
