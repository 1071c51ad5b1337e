package io.outpost.function.runtime.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which limit the rlimit sandbox blames for a child's end, with no cgroup counters to read. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RlimitAttributionTest {

  private final Confinement group =
      new RlimitSandbox("").confine("f@1", new ResolvedLimits(64, 1, 8, 64));

  @Test
  void aNativeChildThatReportedAFailedAllocationHitItsMemoryLimit() {
    assertThat(group.newHits(1, false, true)).containsExactly(LimitKind.MEMORY);
  }

  @Test
  void aNativeChildKilledBySegvAbortOrBusHitItsMemoryLimit() {
    assertThat(group.newHits(139, false, false)).containsExactly(LimitKind.MEMORY);
    assertThat(group.newHits(134, false, false)).containsExactly(LimitKind.MEMORY);
    assertThat(group.newHits(135, false, false)).containsExactly(LimitKind.MEMORY);
  }

  @Test
  void anOrdinaryFailureOrACleanExitIsNoLimitHit() {
    assertThat(group.newHits(1, false, false)).isEmpty();
    assertThat(group.newHits(0, false, true)).isEmpty();
    assertThat(group.newHits(null, false, true)).isEmpty();
  }

  @Test
  void aJvmIsJudgedByItsOutOfMemoryExitCodeAndCpuBySigxcpu() {
    assertThat(group.newHits(3, true, false)).containsExactly(LimitKind.MEMORY);
    assertThat(group.newHits(139, true, false)).isEmpty();
    assertThat(group.newHits(152, false, false)).containsExactly(LimitKind.CPU);
    assertThat(group.newHits(3, true)).containsExactly(LimitKind.MEMORY);
  }

  @Test
  void recognisesTheOutOfMemoryMessagesOfCommonRuntimes() {
    assertThat(OutOfMemorySigns.in("MemoryError")).isTrue();
    assertThat(OutOfMemorySigns.in("OSError: [Errno 12] Cannot allocate memory")).isTrue();
    assertThat(OutOfMemorySigns.in("fatal error: runtime: out of memory")).isTrue();
    assertThat(OutOfMemorySigns.in("  what():  std::bad_alloc")).isTrue();
    assertThat(OutOfMemorySigns.in("memory allocation of 1048576 bytes failed")).isTrue();
    assertThat(OutOfMemorySigns.in("ValueError: not a number")).isFalse();
  }
}
