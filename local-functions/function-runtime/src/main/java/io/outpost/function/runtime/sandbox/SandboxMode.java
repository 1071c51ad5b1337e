package io.outpost.function.runtime.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How the daemon holds function processes to their limits; {@link #yaml()} is the status and config
 * spelling.
 */
public enum SandboxMode {
  /**
   * Pick the best available: cgroup v2, then cgroup v1, then rlimit. Only as a configuration value.
   */
  AUTO("auto"),
  /** A delegated, writable cgroup v2 subtree with the memory, pids and cpu controllers. */
  CGROUP_V2("cgroup-v2"),
  /** Writable cgroup v1 memory, pids and cpu hierarchies. */
  CGROUP_V1("cgroup-v1"),
  /**
   * Per-process setrlimit limits only (containers, plain shells): no shared memory or CPU-rate
   * limit.
   */
  RLIMIT("rlimit");

  private final String yaml;

  SandboxMode(String yaml) {
    this.yaml = yaml;
  }

  /** The YAML and status spelling. */
  @JsonValue
  public String yaml() {
    return yaml;
  }

  /** Parses the YAML spelling; rejects anything else naming the allowed values. */
  @JsonCreator
  public static SandboxMode fromYaml(String value) {
    for (SandboxMode v : values()) {
      if (v.yaml.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(SandboxMode::yaml).collect(Collectors.joining(", "))
            + ", was "
            + value);
  }
}
