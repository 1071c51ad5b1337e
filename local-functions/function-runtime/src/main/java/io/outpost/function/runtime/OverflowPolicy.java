package io.outpost.function.runtime;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What happens when a function's invocation queue is full. Either way the loser is counted and
 * reported.
 */
public enum OverflowPolicy {
  /** The new invocation fails with outcome OVERFLOW. */
  REJECT_NEW("reject-new"),
  /** The oldest queued invocation fails with outcome OVERFLOW and the new one is queued. */
  DROP_OLDEST("drop-oldest");

  private final String yaml;

  OverflowPolicy(String yaml) {
    this.yaml = yaml;
  }

  /** The YAML spelling. */
  @JsonValue
  public String yaml() {
    return yaml;
  }

  /** Parses the YAML spelling; rejects anything else naming the allowed values. */
  @JsonCreator
  public static OverflowPolicy fromYaml(String value) {
    for (OverflowPolicy v : values()) {
      if (v.yaml.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(OverflowPolicy::yaml).collect(Collectors.joining(", "))
            + ", was "
            + value);
  }
}
