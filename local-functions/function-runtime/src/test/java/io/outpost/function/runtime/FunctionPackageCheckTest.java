package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.sandbox.LimitCaps;
import io.outpost.function.runtime.testfunctions.Echo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code functions validate}'s checks, on real packages in a temp dir, without a runtime. */
@Timeout(30)
class FunctionPackageCheckTest {

  @TempDir Path tmp;

  private Path processPackage(String descriptor, String script, String mode) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkg-" + System.nanoTime()));
    Files.writeString(dir.resolve(FunctionDescriptor.FILE_NAME), descriptor);
    if (script != null) {
      Path run = Files.writeString(dir.resolve("run.sh"), script);
      Files.setPosixFilePermissions(run, PosixFilePermissions.fromString(mode));
    }
    return dir;
  }

  @Test
  void aGoodProcessPackageIsOkWithItsNameAndVersion() throws Exception {
    Path dir =
        processPackage(
            "name: ok\nversion: 2.0.0\nruntime: process\ncommand: [./run.sh]\n",
            "#!/bin/sh\nexec cat\n",
            "rwxr-xr-x");

    FunctionPackageCheck check = FunctionPackageCheck.of(dir, FunctionRuntimeOptions.defaults());

    assertThat(check.problems()).isEmpty();
    assertThat(check.ok()).isTrue();
    assertThat(check.name()).isEqualTo("ok");
    assertThat(check.version()).isEqualTo("2.0.0");
  }

  @Test
  void aCommandWithoutItsExecuteBitIsNamedAtTheCommandLine() throws Exception {
    Path dir =
        processPackage(
            "name: noexec\nversion: 1\nruntime: process\ncommand: [./run.sh]\n",
            "#!/bin/sh\nexec cat\n",
            "rw-r--r--");

    assertThat(FunctionPackageCheck.of(dir, FunctionRuntimeOptions.defaults()).problems())
        .singleElement()
        .asString()
        .startsWith("outpost-function.yaml:4: command: ./run.sh is not executable");
  }

  @Test
  void aMissingProgramAndAMissingScriptAreBothReported() throws Exception {
    Path dir =
        processPackage(
            "name: missing\nversion: 1\nruntime: process\ncommand: [./nothing.sh]\n", null, null);
    Path script =
        processPackage(
            "name: py\nversion: 1\nruntime: process\ncommand: [sh, handler.sh]\n", null, null);

    assertThat(FunctionPackageCheck.of(dir, FunctionRuntimeOptions.defaults()).problems())
        .containsExactly(
            "outpost-function.yaml:4: command: ./nothing.sh is not a file in the package");
    assertThat(FunctionPackageCheck.of(script, FunctionRuntimeOptions.defaults()).problems())
        .containsExactly(
            "outpost-function.yaml:4: command: handler.sh is not a file in the package");
  }

  @Test
  void limitsOverTheCapsAreRefusedAtTheirLine() throws Exception {
    Path dir =
        processPackage(
            "name: big\nversion: 1\nruntime: process\ncommand: [./run.sh]\n"
                + "limits:\n  memoryMiB: 4096\n",
            "#!/bin/sh\nexec cat\n",
            "rwxr-xr-x");
    FunctionRuntimeOptions capped =
        FunctionRuntimeOptions.defaults().withLimits(new LimitCaps(512, null, null, null));

    assertThat(FunctionPackageCheck.of(dir, capped).problems())
        .singleElement()
        .asString()
        .startsWith("outpost-function.yaml:6: limits.memoryMiB: 4096 exceeds the daemon's cap")
        .contains("functions.limits.memoryMiB");
  }

  @Test
  void aJavaHandlerMustBeInTheJarAndImplementHandler() throws Exception {
    Path good =
        TestPackages.jar(tmp, TestPackages.javaDescriptor("good", "1", Echo.class, ""), Echo.class);
    Path missing =
        TestPackages.jar(
            tmp, "name: missing\nversion: 1\nhandler: com.example.Missing\n", Echo.class);
    Path notAHandler =
        TestPackages.jar(
            tmp,
            "name: plain\nversion: 1\nhandler: " + TestPackages.class.getName() + "\n",
            TestPackages.class);

    assertThat(FunctionPackageCheck.of(good, FunctionRuntimeOptions.defaults()).problems())
        .isEmpty();
    assertThat(FunctionPackageCheck.of(missing, FunctionRuntimeOptions.defaults()).problems())
        .singleElement()
        .asString()
        .startsWith("outpost-function.yaml:3: handler: class com.example.Missing is not in")
        .doesNotContain("Exception");
    assertThat(FunctionPackageCheck.of(notAHandler, FunctionRuntimeOptions.defaults()).problems())
        .containsExactly(
            "outpost-function.yaml:3: handler: "
                + TestPackages.class.getName()
                + " does not implement io.outpost.function.Handler");
  }

  @Test
  void aWasmModuleMustParse() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("wasm"));
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        "name: w\nversion: 1\nruntime: wasm\nhandler: handler.wasm\n");
    Files.writeString(dir.resolve("handler.wasm"), "not wasm at all");

    assertThat(FunctionPackageCheck.of(dir, FunctionRuntimeOptions.defaults()).problems())
        .singleElement()
        .asString()
        .startsWith(
            "outpost-function.yaml:4: handler: handler.wasm is not a valid WebAssembly module");
  }

  @Test
  void descriptorProblemsComeFirstAndAloneWhenItCannotBeRead() throws Exception {
    Path dir = processPackage("name: x\nversion: 1\nruntme: process\n", null, null);

    assertThat(FunctionPackageCheck.of(dir, FunctionRuntimeOptions.defaults()).problems())
        .containsExactly(
            "outpost-function.yaml:3: runtme: unknown key 'runtme'; did you mean 'runtime'?",
            "outpost-function.yaml: handler: required for runtime java (a class implementing"
                + " Handler)");
  }
}
