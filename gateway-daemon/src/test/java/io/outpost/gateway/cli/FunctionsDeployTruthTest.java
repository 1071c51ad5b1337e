package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.ExitCodes;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Through the real CLI and admin API: a directory package keeps its execute bit, a package that
 * cannot run is refused with its reason while the previous version keeps running, kept versions
 * roll back and forward, refusals exit with sysexits codes, and {@code validate} needs no daemon.
 */
@Timeout(120)
class FunctionsDeployTruthTest {

  /** Speaks the line protocol: answers each request with an empty result. */
  private static final String SERVING =
      """
      #!/bin/sh
      while IFS= read -r line; do
        id=$(printf '%s' "$line" | sed -n 's/^{"id":\\([0-9]*\\).*/\\1/p')
        printf '{"id":%s}\\n' "$id"
      done
      """;

  @TempDir Path dir;

  private LocalDaemon daemon;

  @BeforeEach
  void startDaemon() throws Exception {
    daemon = LocalDaemon.start(dir);
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.close();
    }
  }

  private CliRun cli(String... args) {
    return daemon.cli(args);
  }

  /** The CLI without a daemon's address (validate). */
  private static CliRun offline(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = OutpostCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int exit = cmd.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }

  private Path processPackage(String version, String script, String mode) throws Exception {
    Path pkg = Files.createDirectories(dir.resolve("shell-" + version + "-" + System.nanoTime()));
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        "name: shell\nversion: "
            + version
            + "\nruntime: process\ncommand: [./run.sh]\n"
            + "timeoutMillis: 20000\n");
    Path run = Files.writeString(pkg.resolve("run.sh"), script);
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString(mode));
    return pkg;
  }

  @Test
  void aDirectoryPackageKeepsItsExecuteBitAndRuns() throws Exception {
    CliRun deployed =
        cli("functions", "deploy", processPackage("1", SERVING, "rwxr-x---").toString());

    assertThat(deployed.exit()).as(deployed.err()).isZero();
    assertThat(deployed.out()).contains("deployed shell 1 (running)");
    CliRun invoked = cli("functions", "invoke", "shell", "--topic", "t/x", "--payload", "{}");
    assertThat(invoked.exit()).as(invoked.out() + invoked.err()).isZero();
    assertThat(invoked.out()).startsWith("ok");
  }

  @Test
  void aCrashingVersionIsRefusedWithItsReasonAndThePreviousOneKeepsServing() throws Exception {
    assertThat(
            cli("functions", "deploy", processPackage("1", SERVING, "rwxr-xr-x").toString()).exit())
        .isZero();

    CliRun crashing =
        cli(
            "functions",
            "deploy",
            processPackage("2", "#!/bin/sh\necho 'no broker.url set' >&2\nexit 2\n", "rwxr-xr-x")
                .toString());

    assertThat(crashing.exit()).isEqualTo(ExitCodes.DATA_ERR);
    assertThat(crashing.err())
        .contains("invalid-function")
        .contains("exited with code 2")
        .contains("no broker.url set")
        .doesNotContain(dir.toString());
    assertThat(cli("functions", "list").out()).contains("shell").contains(" 1 ");
    assertThat(cli("functions", "invoke", "shell", "--topic", "t/x", "--payload", "{}").exit())
        .isZero();
  }

  @Test
  void descriptorMistakesComeBackAtTheirLinesWithoutServerPaths() throws Exception {
    Path pkg = processPackage("1", SERVING, "rwxr-xr-x");
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        "name: shell\nversion: 1\nruntime: process\ncommand: [./run.sh]\ntrigger: [a/b]\n"
            + "timeoutMillis: 3s\n");

    CliRun r = cli("functions", "deploy", pkg.toString());

    assertThat(r.exit()).isEqualTo(ExitCodes.DATA_ERR);
    assertThat(r.err())
        .contains(
            "outpost-function.yaml:5: trigger: unknown key 'trigger'; did you mean 'triggers'?")
        .contains("outpost-function.yaml:6: timeoutMillis: expected a number, got '3s'")
        .doesNotContain("Jackson", "com.fasterxml", "Exception", "/tmp", "function-");
  }

  @Test
  void versionsRollBackAndForwardAndMistakesExitWithSysexits() throws Exception {
    for (String v : new String[] {"1", "2"}) {
      assertThat(
              cli("functions", "deploy", processPackage(v, SERVING, "rwxr-xr-x").toString()).exit())
          .isZero();
    }

    CliRun back = cli("functions", "rollback", "shell");
    assertThat(back.exit()).as(back.err()).isZero();
    assertThat(back.out()).contains("rolled back shell to 1");
    CliRun again = cli("functions", "rollback", "shell");
    assertThat(again.exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(again.err()).contains("no older version to roll back to");
    assertThat(cli("functions", "list").out()).contains("1* 2");

    CliRun forward = cli("functions", "activate", "shell", "2");
    assertThat(forward.exit()).as(forward.err()).isZero();
    assertThat(forward.out()).contains("activated shell 2");
    assertThat(cli("functions", "list", "--json").out()).contains("\"active\" : true");
    assertThat(cli("functions", "activate", "shell", "7").exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli("functions", "activate", "nobody", "1").exit()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli("functions", "rollback", "nobody").exit()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void validateChecksAPackageWithoutADaemon() throws Exception {
    Path good = processPackage("3", SERVING, "rwxr-xr-x");
    Path noExec = processPackage("4", SERVING, "rw-r--r--");

    CliRun ok = offline("functions", "validate", good.toString());
    CliRun bad = offline("functions", "validate", noExec.toString());
    CliRun missing = offline("functions", "validate", dir.resolve("nothing").toString());

    assertThat(ok.exit()).as(ok.err()).isZero();
    assertThat(ok.out()).isEqualTo("OK shell 3" + System.lineSeparator());
    assertThat(bad.exit()).isEqualTo(ExitCodes.DATA_ERR);
    assertThat(bad.err())
        .startsWith("outpost-function.yaml:4: command: ./run.sh is not executable");
    assertThat(missing.exit()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void validateUnpacksAZipWithItsModesAndUsesTheCapsOfTheConfig() throws Exception {
    Path zip = dir.resolve("shell.zip");
    Path pkg = processPackage("5", SERVING, "rwxr-xr-x");
    Files.write(zip, io.outpost.gateway.admin.PackageZip.zip(pkg));
    Path plainZip = dir.resolve("plain.zip");
    try (OutputStream out = Files.newOutputStream(plainZip);
        ZipOutputStream z = new ZipOutputStream(out)) {
      z.putNextEntry(new ZipEntry("outpost-function.yaml"));
      z.write(
          "name: big\nversion: 1\nruntime: process\ncommand: [sh, run.sh]\nlimits:\n  memoryMiB: 900\n"
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      z.closeEntry();
      z.putNextEntry(new ZipEntry("run.sh"));
      z.write("exec cat\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      z.closeEntry();
    }
    Path capped =
        Files.writeString(dir.resolve("capped.yaml"), "functions: {limits: {memoryMiB: 512}}\n");

    CliRun zipped = offline("functions", "validate", zip.toString());
    CliRun overCap =
        offline("functions", "validate", plainZip.toString(), "--config", capped.toString());

    assertThat(zipped.exit()).as(zipped.err()).isZero();
    assertThat(zipped.out()).startsWith("OK shell 5");
    assertThat(overCap.exit()).isEqualTo(ExitCodes.DATA_ERR);
    assertThat(overCap.err())
        .startsWith("outpost-function.yaml:6: limits.memoryMiB: 900 exceeds the daemon's cap");
  }
}
