package io.outpost.function.runtime;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How a function expects its input payload. */
public enum InputEncoding {
  /**
   * The payload must be JSON; a process child receives it as a JSON value. Non-JSON payloads fail
   * fast.
   */
  JSON("json"),
  /** Any bytes; a process child receives them base64-encoded. */
  BINARY("binary");

  private final String yaml;

  InputEncoding(String yaml) {
    this.yaml = yaml;
  }

  /** The YAML spelling. */
  @JsonValue
  public String yaml() {
    return yaml;
  }

  /** Parses the YAML spelling; rejects anything else naming the allowed values. */
  @JsonCreator
  public static InputEncoding fromYaml(String value) {
    for (InputEncoding v : values()) {
      if (v.yaml.equals(value)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        "must be one of "
            + Arrays.stream(values()).map(InputEncoding::yaml).collect(Collectors.joining(", "))
            + ", was "
            + value);
  }
}
