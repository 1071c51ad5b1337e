package io.outpost.function.runtime.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real children under real limits: cgroup v1 where this machine has it writable, and rlimits
 * everywhere.
 */
@Timeout(60)
class SandboxIT {

  private static final String FORK_MANY =
      "i=0; while [ $i -lt 30 ]; do sleep 60 & i=$((i+1)); done; wait";
  private static final String ALLOCATE = "a = []\nwhile True:\n    a.append(bytearray(1 << 20))\n";

  private Sandbox sandbox;
  private Process process;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  private Sandbox cgroups() {
    Sandbox s = Sandbox.open(SandboxMode.AUTO);
    sandbox = s;
    assumeTrue(
        s.mode() == SandboxMode.CGROUP_V1 || s.mode() == SandboxMode.CGROUP_V2, s.describe());
    return s;
  }

  private Process start(Confinement c, List<String> command, boolean jvm) throws IOException {
    process = new ProcessBuilder(c.wrap(command, jvm)).redirectErrorStream(true).start();
    c.started(process.pid());
    return process;
  }

  @Test
  void aForkingChildIsHeldToItsProcessLimitAndRemovedWithAllItsChildren() throws Exception {
    Confinement c = cgroups().confine("forker@1", new ResolvedLimits(64, 1, 8, 64));

    Process p = start(c, List.of("/bin/sh", "-c", FORK_MANY), false);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> c.newHits(null, false).contains(LimitKind.PROCESSES));
    List<ProcessHandle> family =
        c.processes().stream().map(ProcessHandle::of).flatMap(Optional::stream).toList();
    assertThat(family).isNotEmpty().hasSizeLessThanOrEqualTo(8);
    c.close();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> family.stream().noneMatch(ProcessHandle::isAlive));
  }

  @Test
  void aChildAllocatingWithoutBoundIsOomKilledAndCountedAsAMemoryHit() throws Exception {
    Confinement c = cgroups().confine("hog@1", new ResolvedLimits(48, 1, 8, 64));

    Process p = start(c, List.of("python3", "-c", ALLOCATE), false);

    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("SIGKILL by the OOM killer").isEqualTo(128 + 9);
    assertThat(c.newHits(p.exitValue(), false)).containsExactly(LimitKind.MEMORY);
    assertThat(sandbox.describe()).startsWith(sandbox.mode().yaml());
  }

  @Test
  void cgroupLimitsAreWrittenAndTheDirectoriesRemovedOnClose() throws Exception {
    Confinement c = cgroups().confine("quiet@1", new ResolvedLimits(32, 0.5, 5, 64));

    Process p = start(c, List.of("/bin/sh", "-c", "cat /proc/self/cgroup; ulimit -n"), false);

    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("pids:/").contains("/quiet_1-").endsWith("\n64\n");
    Path pids =
        Path.of(
            "/sys/fs/cgroup/pids"
                + out.lines()
                    .filter(l -> l.contains(":pids:"))
                    .findFirst()
                    .orElseThrow()
                    .split(":", 3)[2]);
    assertThat(pids.resolve("pids.max")).hasContent("5");
    c.close();
    assertThat(pids).doesNotExist();
  }

  @Test
  void rlimitModeLimitsOpenFilesAndDataSize() throws Exception {
    sandbox = Sandbox.open(SandboxMode.RLIMIT);
    Confinement c = sandbox.confine("plain@1", new ResolvedLimits(64, 1, 8, 40));

    Process p = start(c, List.of("/bin/sh", "-c", "ulimit -n; ulimit -d"), false);

    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(out.lines()).containsExactly("40", Long.toString(64 * 1024));
    assertThat(sandbox.mode()).isEqualTo(SandboxMode.RLIMIT);
  }

  @Test
  void rlimitModeStopsAnUnboundAllocationInsideTheChild() throws Exception {
    sandbox = Sandbox.open(SandboxMode.RLIMIT);
    Confinement c = sandbox.confine("hog@1", new ResolvedLimits(64, 1, 8, 64));

    Process p = start(c, List.of("python3", "-c", ALLOCATE), false);

    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out).contains("MemoryError");
    assertThat(p.exitValue()).isEqualTo(1);
  }

  @Test
  void rlimitModeKillsTheChildsWholeProcessGroup() throws Exception {
    sandbox = Sandbox.open(SandboxMode.RLIMIT);
    Confinement c = sandbox.confine("forker@1", new ResolvedLimits(64, 1, 8, 64));
    Process p = start(c, List.of("/bin/sh", "-c", "sleep 60 & sleep 60 & wait"), false);
    await().atMost(Duration.ofSeconds(10)).until(() -> p.descendants().count() >= 2);
    List<ProcessHandle> family =
        c.processes().stream().map(ProcessHandle::of).flatMap(Optional::stream).toList();
    assertThat(family).hasSize(3);

    c.close();

    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> family.stream().noneMatch(ProcessHandle::isAlive));
  }
}
