package io.outpost.spool;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What the spool does when an append would push it past {@code storage.maxBytes}.
 *
 * <p>Either way the message is counted under {@code outpost.spool.dropped{reason=overflow}}.
 */
public enum OverflowPolicy {
  /**
   * Evict the oldest messages of the lowest priority (never of a higher priority than the new
   * message) to make room. If that is not enough the new message is rejected as with {@link
   * #REJECT_NEW}.
   */
  DROP_OLDEST("drop-oldest"),
  /**
   * Keep what is stored; the append fails with {@link SpoolFullException} (the daemon answers MQTT
   * 5 reason 0x97).
   */
  REJECT_NEW("reject-new");

  private final String key;

  OverflowPolicy(String key) {
    this.key = key;
  }

  /** The YAML spelling, e.g. {@code drop-oldest}. */
  @JsonValue
  public String key() {
    return key;
  }

  /** Parses the YAML spelling (case-insensitive; {@code _} accepted for {@code -}). */
  @JsonCreator
  public static OverflowPolicy fromKey(String value) {
    String normalized = value.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (OverflowPolicy policy : values()) {
      if (policy.key.equals(normalized)) {
        return policy;
      }
    }
    throw new IllegalArgumentException(
        "overflowPolicy: expected drop-oldest or reject-new, got '" + value + "'");
  }
}
