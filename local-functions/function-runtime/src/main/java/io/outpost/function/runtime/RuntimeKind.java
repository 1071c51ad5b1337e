package io.outpost.function.runtime;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How a function is executed. */
public enum RuntimeKind {
  /** A JAR with a {@code io.outpost.function.Handler} class, loaded in its own class loader. */
  JAVA("java"),
  /**
   * A long-lived child process speaking the line protocol on stdin/stdout (see docs/functions.md).
   */
  PROCESS("process"),
  /**
   * A WebAssembly module (WASI preview 1) run inside the daemon on Chicory, one instance per
   * invocation.
   */
  WASM("wasm");

  private final String yaml;

  RuntimeKind(String yaml) {
    this.yaml = yaml;
  }

  /** The YAML spelling. */
  @JsonValue
  public String yaml() {
    return yaml;
  }

  /** Parses the YAML spelling; rejects anything else naming the allowed values. */
  @JsonCreator
  public static RuntimeKind fromYaml(String value) {
    for (RuntimeKind v : values()) {
      if (v.yaml.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(RuntimeKind::yaml).collect(Collectors.joining(", "))
            + ", was "
            + value);
  }
}
