package io.outpost.function.runtime.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FunctionLimitsTest {

  @Test
  void absentLimitsTakeTheDefaults() {
    ResolvedLimits r = FunctionLimits.NONE.resolve(LimitCaps.DEFAULTS);

    assertThat(r)
        .isEqualTo(
            new ResolvedLimits(
                FunctionLimits.DEFAULT_MEMORY_MIB,
                FunctionLimits.DEFAULT_CPUS,
                FunctionLimits.DEFAULT_MAX_PROCESSES,
                FunctionLimits.DEFAULT_MAX_OPEN_FILES));
  }

  @Test
  void defaultsAreLoweredToSmallerCaps() {
    ResolvedLimits r = FunctionLimits.NONE.resolve(new LimitCaps(128, 0.5, 16, 64));

    assertThat(r).isEqualTo(new ResolvedLimits(128, 0.5, 16, 64));
  }

  @Test
  void askingForMoreThanACapIsRefusedNamingBothKeys() {
    FunctionLimits wants = new FunctionLimits(2048, null, null, null);

    assertThatThrownBy(() -> wants.resolve(new LimitCaps(1024, null, null, null)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "limits.memoryMiB: 2048 exceeds the daemon's cap functions.limits.memoryMiB (1024)");
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertThatThrownBy(() -> new FunctionLimits(4, null, null, null))
        .hasMessageStartingWith("limits.memoryMiB:");
    assertThatThrownBy(() -> new FunctionLimits(null, 0.0, null, null))
        .hasMessageStartingWith("limits.cpus:");
    assertThatThrownBy(() -> new LimitCaps(null, null, 0, null))
        .hasMessageStartingWith("maxProcesses:");
  }

  @Test
  void childJvmHeapIsHalfTheMemoryLimit() {
    assertThat(new ResolvedLimits(256, 1, 64, 256).heapMiB()).isEqualTo(128);
    assertThat(new ResolvedLimits(16, 1, 64, 256).heapMiB()).isEqualTo(8);
  }

  @Test
  void modesAndIsolationParseTheirYamlSpellingOnly() {
    assertThat(SandboxMode.fromYaml("cgroup-v1")).isEqualTo(SandboxMode.CGROUP_V1);
    assertThat(Isolation.fromYaml("in-process")).isEqualTo(Isolation.IN_PROCESS);
    assertThatThrownBy(() -> Isolation.fromYaml("thread"))
        .hasMessage("must be one of process, in-process, was thread");
  }
}
