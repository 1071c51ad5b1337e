package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain's bound on acknowledged publishes awaiting their delete ({@code cloud.pendingDeletes})
 * goes through the same configuration checks as every key: {@code validate} accepts a valid value
 * and refuses an invalid one with exit 78, naming the file, the line and the key.
 */
@Timeout(30)
class CloudDrainBoundsCliTest {

  @TempDir Path dir;

  private record Run(int exit, String err) {}

  private static Run cli(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = OutpostCommand.commandLine().execute(args);
      return new Run(exit, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  private Path config(String pendingDeletes) throws Exception {
    return Files.writeString(
        dir.resolve("outpost.yaml"),
        """
        storage:
          dir: %s
        cloud:
          url: tcp://127.0.0.1:1884
          clientId: edge-1
          inflightWindow: 100
          pendingDeletes: %s
        """
            .formatted(dir.resolve("data"), pendingDeletes));
  }

  @Test
  void validateAcceptsAPendingDeletesBoundAndRefusesANegativeOneWithExit78NamingKeyAndLine()
      throws Exception {
    assertThat(cli("validate", "--config", config("5000").toString()).exit()).isZero();

    Path file = config("-1");
    Run refused = cli("validate", "--config", file.toString());

    assertThat(refused.exit()).isEqualTo(ExitCodes.CONFIG);
    assertThat(refused.err()).contains(file + ":7: cloud.pendingDeletes: must be >= 1, got -1");
    assertThat(refused.err()).doesNotContain("Exception").doesNotContain("jackson");
  }
}
