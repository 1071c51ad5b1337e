package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.sandbox.LimitHits;
import io.outpost.function.runtime.sandbox.SandboxMode;
import io.outpost.function.runtime.testfunctions.Echo;
import io.outpost.function.runtime.testfunctions.Hoarder;
import io.outpost.function.runtime.testfunctions.Stubborn;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functions that misbehave under real limits (child JVMs, Python children, cgroups or rlimits,
 * whichever this machine offers): each ends only itself, the hit is counted under its name, a
 * well-behaved function keeps answering, and removing it leaves no process behind.
 */
@Timeout(120)
class FunctionLimitsIT {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults()
                .withRestartBackoff(Duration.ofMillis(50))
                .withBroken(10, Duration.ofSeconds(30)));
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("bystander", "1", Echo.class, ""), Echo.class));
  }

  @AfterEach
  void stop() {
    f.close();
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private double hits(String function, String limit) {
    var counter =
        f.registry.find(LimitHits.METER).tag("function", function).tag("limit", limit).counter();
    return counter == null ? 0 : counter.count();
  }

  private void bystanderStillAnswers() throws Exception {
    InvocationResult ok = f.invoke("bystander", "in/bystander/x", "still here");
    assertThat(ok.outcome()).isEqualTo(Outcome.OK);
    assertThat(ok.outputs().get(0).payloadAsString()).isEqualTo("still here");
  }

  private void removeLeavesNoProcess(String name) {
    assertThat(f.runtime.remove(name)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive))
                    .isEmpty());
  }

  private Path pythonPackage(String name, String limits) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name + "-" + System.nanoTime()));
    try (InputStream in = getClass().getResourceAsStream("/unruly-function/unruly.py")) {
      Files.copy(in, dir.resolve("unruly.py"));
    }
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        String.join(
            "\n",
            "name: " + name,
            "version: 1",
            "runtime: process",
            "command: [python3, unruly.py]",
            "lifecycle: pinned",
            "timeoutMillis: 20000",
            "limits: " + limits,
            ""));
    return dir;
  }

  @Test
  void aJavaFunctionRetainingMemoryBeyondItsLimitEndsOnlyItsChildJvm() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "hoarder",
                "1",
                Hoarder.class,
                "isolation: process\ntimeoutMillis: 30000\nlimits: {memoryMiB: 96}\n"),
            Hoarder.class));

    InvocationResult result = f.invoke("hoarder", "in/hoarder/x", "more");

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    await().atMost(Duration.ofSeconds(10)).until(() -> hits("hoarder", "memory") >= 1);
    assertThat(f.runtime.get("hoarder").orElseThrow().state())
        .isIn(FunctionState.ERRORED, FunctionState.BROKEN);
    bystanderStillAnswers();
    removeLeavesNoProcess("hoarder");
  }

  @Test
  void aJavaHandlerSpinningThroughInterruptsIsKilledWithItsJvmAndRestarted() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "spinner", "1", Stubborn.class, "isolation: process\ntimeoutMillis: 1000\n"),
            Stubborn.class));

    InvocationResult stuck = f.invoke("spinner", "in/spinner/x", "block");

    assertThat(stuck.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(hits("spinner", "timeout")).isEqualTo(1);
    bystanderStillAnswers();
    InvocationResult[] next = new InvocationResult[1];
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              next[0] = f.invoke("spinner", "in/spinner/x", "go");
              return next[0].outcome() == Outcome.OK;
            });
    assertThat(next[0].outputs())
        .extracting(OutboundMessage::topic)
        .containsExactly("stubborn/done");
    removeLeavesNoProcess("spinner");
  }

  @Test
  void aPythonFunctionAllocatingWithoutBoundIsStoppedAtItsMemoryLimit() throws Exception {
    f.runtime.deploy(pythonPackage("hog", "{memoryMiB: 64}"));

    InvocationResult result = f.invoke("hog", "in/hog", "{\"mode\":\"hog\"}");

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    if (f.runtime.sandboxMode() != SandboxMode.RLIMIT) {
      await().atMost(Duration.ofSeconds(10)).until(() -> hits("hog", "memory") >= 1);
    } else {
      assertThat(result.error()).contains("exited"); // MemoryError ended the interpreter
    }
    bystanderStillAnswers();
    removeLeavesNoProcess("hog");
  }

  @Test
  void underRlimitsAPythonFunctionAllocatingWithoutBoundIsCountedAsAMemoryHit() throws Exception {
    try (RuntimeFixture rl =
        new RuntimeFixture(
            tmp.resolve("rlimit-functions"),
            FunctionRuntimeOptions.defaults()
                .withSandbox(SandboxMode.RLIMIT)
                .withRestartBackoff(Duration.ofMillis(50))
                .withBroken(10, Duration.ofSeconds(30)))) {
      rl.runtime.deploy(pythonPackage("hog", "{memoryMiB: 64}"));

      InvocationResult result = rl.invoke("hog", "in/hog", "{\"mode\":\"hog\"}");

      assertThat(rl.runtime.sandboxMode()).isEqualTo(SandboxMode.RLIMIT);
      assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                var c =
                    rl.registry
                        .find(LimitHits.METER)
                        .tag("function", "hog")
                        .tag("limit", "memory")
                        .counter();
                return c != null && c.count() >= 1;
              });
      // restarted after its backoff, it answers again
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> rl.invoke("hog", "in/hog", "{\"mode\":\"ok\"}").outcome() == Outcome.OK);
      assertThat(rl.runtime.remove("hog")).isTrue();
    }
    bystanderStillAnswers();
  }

  @Test
  void aProcessFunctionForkingChildrenIsHeldToItsProcessLimitAndLeavesNoneBehind()
      throws Exception {
    f.runtime.deploy(pythonPackage("forker", "{maxProcesses: 8}"));

    InvocationResult result = f.invoke("forker", "in/forker", "{\"mode\":\"fork\"}");

    if (f.runtime.sandboxMode() != SandboxMode.RLIMIT
        || !"root".equals(System.getProperty("user.name"))) {
      assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(result.error()).contains("fork refused");
    }
    if (f.runtime.sandboxMode() != SandboxMode.RLIMIT) {
      await().atMost(Duration.ofSeconds(10)).until(() -> hits("forker", "processes") >= 1);
    }
    assertThat(
            ProcessHandle.current()
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("sleep")))
        .isNotEmpty();
    bystanderStillAnswers();
    removeLeavesNoProcess("forker");
  }

  @Test
  void aPackageAskingForMoreThanTheDaemonsCapIsRefusedNamingTheKey() throws Exception {
    Path pkg = pythonPackage("greedy", "{memoryMiB: 4096}");

    assertThatThrownBy(() -> f.runtime.deploy(pkg))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining(
            "limits.memoryMiB: 4096 exceeds the daemon's cap functions.limits.memoryMiB");
    assertThat(f.runtime.get("greedy")).isEmpty();
    assertThat(List.of(SandboxMode.CGROUP_V2, SandboxMode.CGROUP_V1, SandboxMode.RLIMIT))
        .contains(f.runtime.sandboxMode());
  }
}
