package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hidden training run behind the launcher's {@code update-cds-archive}: start, probe, stop,
 * clean up.
 */
@Timeout(120)
class CdsTrainingCommandTest {

  @Test
  void startsProbesAndStopsTheDaemonLeavingNoTemporaryFiles() throws IOException {
    List<Path> before = trainingDirs();

    int exit = OutpostCommand.commandLine().execute("cds-training");

    assertThat(exit).isEqualTo(ExitCodes.OK);
    assertThat(trainingDirs()).as("temporary data directory removed").isEqualTo(before);
    // the daemon's threads and ports are gone: the leak guard fails this class otherwise
  }

  @Test
  void copiesSqlitesNativeLibraryForThisMachineReadableByTheService(@TempDir Path dir)
      throws IOException {
    Path library = CdsTrainingCommand.copySqliteLibrary(dir);

    assertThat(library.getFileName()).hasToString("libsqlitejdbc.so");
    assertThat(Files.readAllBytes(library)).startsWith(0x7f, 'E', 'L', 'F');
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(library)))
        .isEqualTo("rw-r--r--");
    assertThat(dir.toFile().list()).containsExactly("libsqlitejdbc.so");
  }

  @Test
  void isHiddenFromTheUsage() {
    String usage = OutpostCommand.commandLine().getUsageMessage();

    assertThat(usage).contains("run", "await-ready").doesNotContain("cds-training");
  }

  private static List<Path> trainingDirs() throws IOException {
    try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("outpost-cds-training-"))
          .sorted()
          .toList();
    }
  }
}
