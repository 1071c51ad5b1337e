package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.outpost.function.runtime.FunctionDeploymentException.Reason;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.testfunctions.Echo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deploy says what happened: a version that cannot start or dies at once is refused with the
 * reason and the previous version keeps running; kept versions can be rolled back and forward.
 */
@Timeout(60)
class DeployTruthTest {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** A process package whose {@code run.sh} is {@code script} with the given mode. */
  private Path processPackage(String version, String script, String mode) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("proc-" + version + "-" + System.nanoTime()));
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        "name: proc\nversion: " + version + "\nruntime: process\ncommand: [./run.sh]\n");
    Path run = Files.writeString(dir.resolve("run.sh"), script);
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString(mode));
    return dir;
  }

  private Path echo(String version) throws Exception {
    return TestPackages.jar(
        tmp, TestPackages.javaDescriptor("echo", version, Echo.class, ""), Echo.class);
  }

  @Test
  void aProgramThatExitsAtOnceIsRefusedWithItsErrorAndThePreviousVersionKeepsRunning()
      throws Exception {
    f.runtime.deploy(processPackage("1", "#!/bin/sh\nexec cat\n", "rwxr-xr-x"));

    FunctionDeploymentException e =
        catchThrowableOfType(
            FunctionDeploymentException.class,
            () ->
                f.runtime.deploy(
                    processPackage(
                        "2", "#!/bin/sh\necho 'config.json: missing' >&2\nexit 3\n", "rwxr-xr-x")));

    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.BAD_PACKAGE);
    assertThat(e.getMessage())
        .contains("command: ./run.sh exited with code 3")
        .contains("config.json: missing")
        .doesNotContain(tmp.toString());
    FunctionInfo info = f.runtime.get("proc").orElseThrow();
    assertThat(info.version()).isEqualTo("1");
    assertThat(info.state()).isNotIn(FunctionState.STOPPED, FunctionState.BROKEN);
    assertThat(info.keptVersions()).containsExactly("1");
  }

  @Test
  void aProgramWithoutItsExecuteBitIsRefusedAsPermissionDenied() throws Exception {
    FunctionDeploymentException e =
        catchThrowableOfType(
            FunctionDeploymentException.class,
            () -> f.runtime.deploy(processPackage("1", "#!/bin/sh\nexec cat\n", "rw-r--r--")));

    assertThat(e).isNotNull();
    assertThat(e.getMessage()).containsIgnoringCase("permission denied");
    assertThat(f.runtime.get("proc")).as("nothing is shown running").isEmpty();
    assertThat(f.runtime.list()).isEmpty();
  }

  @Test
  void rollbackKeepsTheNewerVersionSoActivateRollsForward() throws Exception {
    f.runtime.deploy(echo("1"));
    f.runtime.deploy(echo("2"));
    f.runtime.deploy(echo("3"));

    FunctionInfo back = f.runtime.rollback("echo");
    assertThat(back.version()).isEqualTo("2");
    assertThat(back.keptVersions()).containsExactly("1", "2", "3");
    assertThat(back.previousVersions()).containsExactly("1");
    assertThat(f.runtime.rollback("echo").version()).isEqualTo("1");

    FunctionDeploymentException none =
        catchThrowableOfType(FunctionDeploymentException.class, () -> f.runtime.rollback("echo"));
    assertThat(none.reason()).isEqualTo(Reason.NOTHING_TO_DO);
    assertThat(none.getMessage()).contains("no older version").contains("kept: 1, 2, 3");

    FunctionInfo forward = f.runtime.activate("echo", "3");
    assertThat(forward.version()).isEqualTo("3");
    assertThat(forward.previousVersions()).containsExactly("2", "1");
    assertThat(f.invoke("echo", "in/echo/x", "hi").outcome()).isEqualTo(Outcome.OK);

    FunctionDeploymentException unknown =
        catchThrowableOfType(
            FunctionDeploymentException.class, () -> f.runtime.activate("echo", "9"));
    assertThat(unknown.reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(unknown.getMessage()).contains("echo has no version 9");
    assertThat(
            catchThrowableOfType(
                    FunctionDeploymentException.class, () -> f.runtime.activate("nope", "1"))
                .reason())
        .isEqualTo(Reason.NOT_FOUND);
  }

  @Test
  void theActiveVersionSurvivesARestartAndOnlyTheRetainedNumberIsKept() throws Exception {
    for (int v = 1; v <= FunctionRuntimeOptions.DEFAULT_RETAINED_VERSIONS + 1; v++) {
      f.runtime.deploy(echo(String.valueOf(v)));
    }
    f.runtime.rollback("echo");
    FunctionInfo before = f.runtime.get("echo").orElseThrow();
    assertThat(before.keptVersions()).containsExactly("2", "3", "4");
    assertThat(before.version()).isEqualTo("3");

    f.close();
    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());

    FunctionInfo after = f.runtime.get("echo").orElseThrow();
    assertThat(after.version()).isEqualTo("3");
    assertThat(after.keptVersions()).containsExactly("2", "3", "4");
    // deploying again trims the oldest, never the active one
    f.runtime.activate("echo", "2");
    f.runtime.deploy(echo("5"));
    assertThat(f.runtime.get("echo").orElseThrow().keptVersions()).containsExactly("3", "4", "5");
  }
}
