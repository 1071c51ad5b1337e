package io.outpost.function;

import java.util.Objects;

/**
 * One MQTT 5 user property (a name/value pair; names may repeat within a message).
 *
 * @param name the property name
 * @param value the property value
 */
public record UserProperty(String name, String value) {

  /** Rejects null name or value. */
  public UserProperty {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }
}
