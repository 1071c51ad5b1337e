package io.outpost.function.runtime;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How long a function's handler instance (or child process) lives. */
public enum Lifecycle {
  /**
   * A fresh handler instance (Java) per invocation; a process child is started at the first
   * invocation.
   */
  ON_DEMAND("on-demand"),
  /** One long-lived handler instance or process child per deployed version; it may keep state. */
  PINNED("pinned");

  private final String yaml;

  Lifecycle(String yaml) {
    this.yaml = yaml;
  }

  /** The YAML spelling. */
  @JsonValue
  public String yaml() {
    return yaml;
  }

  /** Parses the YAML spelling; rejects anything else naming the allowed values. */
  @JsonCreator
  public static Lifecycle fromYaml(String value) {
    for (Lifecycle v : values()) {
      if (v.yaml.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(Lifecycle::yaml).collect(Collectors.joining(", "))
            + ", was "
            + value);
  }
}
