package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code python3 -m unittest -v} in a directory, as a developer runs a project's tests, and
 * tells whether python3 is there at all.
 */
final class PythonUnittest {
  private PythonUnittest() {}

  /**
   * Runs {@code python3 [pythonOptions] -m unittest -v [modules]} in {@code dir}, asserts that it
   * passed within 30 s and returns its output (stdout and stderr).
   */
  static String passes(Path dir, List<String> pythonOptions, String... modules)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(python());
    command.addAll(pythonOptions);
    command.addAll(List.of("-m", "unittest", "-v"));
    command.addAll(List.of(modules));
    Process test =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(test.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(test.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(test.exitValue()).as(output).isZero();
    return output;
  }

  /** Whether {@code python3} runs here (tests of the process runtime are skipped without it). */
  static boolean available() {
    try {
      Process p = new ProcessBuilder(python(), "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }
}
