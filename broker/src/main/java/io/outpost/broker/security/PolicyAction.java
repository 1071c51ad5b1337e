package io.outpost.broker.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a client asks to do, as named in policy rules ({@code connect}, {@code publish}, {@code
 * subscribe}).
 */
public enum PolicyAction {
  /** Open an MQTT session. Rules for it carry no topics. */
  CONNECT,
  /** Publish to a topic name (the will topic counts as a publish, checked at CONNECT). */
  PUBLISH,
  /**
   * Subscribe with a topic filter; the filter itself is checked, not the topics it may later match.
   */
  SUBSCRIBE;

  /** The configuration spelling. */
  @JsonValue
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the configuration spelling. */
  @JsonCreator
  public static PolicyAction fromKey(String key) {
    for (PolicyAction a : values()) {
      if (a.key().equals(key)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "actions: expected connect, publish or subscribe but was '" + key + "'");
  }
}
