package io.outpost.broker.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Whether a matching policy rule grants ({@code allow}) or refuses ({@code deny}); deny always
 * wins.
 */
public enum PolicyEffect {
  ALLOW,
  DENY;

  /** The configuration spelling. */
  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the configuration spelling. */
  @JsonCreator
  public static PolicyEffect fromKey(String key) {
    for (PolicyEffect e : values()) {
      if (e.key().equals(key)) {
        return e;
      }
    }
    throw new IllegalArgumentException("effect: expected allow or deny but was '" + key + "'");
  }
}
