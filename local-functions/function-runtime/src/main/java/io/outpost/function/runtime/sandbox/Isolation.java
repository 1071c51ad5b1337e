package io.outpost.function.runtime.sandbox;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Where a Java function's handler runs, the descriptor's {@code isolation} key. */
public enum Isolation {
  /**
   * In a child JVM held to the function's limits: a crash, an OutOfMemoryError or a stuck thread
   * ends only it.
   */
  PROCESS("process"),
  /**
   * In the daemon's JVM, in its own class loader: fastest, but it shares the daemon's fate (its
   * heap, its CPU, its threads). For trusted, latency-critical handlers only.
   */
  IN_PROCESS("in-process");

  private final String yaml;

  Isolation(String yaml) {
    this.yaml = yaml;
  }

  /** The YAML spelling. */
  @JsonValue
  public String yaml() {
    return yaml;
  }

  /** Parses the YAML spelling; rejects anything else naming the allowed values. */
  @JsonCreator
  public static Isolation fromYaml(String value) {
    for (Isolation v : values()) {
      if (v.yaml.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(Isolation::yaml).collect(Collectors.joining(", "))
            + ", was "
            + value);
  }
}
