package io.outpost.broker;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What the broker does when a session's queue of undelivered QoS 1/2 messages is full (slow or
 * offline consumer). Either way the dropped message is counted in {@code
 * outpost.broker.messages.dropped{reason=queue-full}}.
 */
public enum QueueOverflowPolicy {
  /**
   * Evict the oldest queued message to make room for the new one (fresh data wins). Config: {@code
   * drop-oldest}.
   */
  DROP_OLDEST("drop-oldest"),
  /**
   * Discard the new message for this session (the queue keeps the oldest). Config: {@code
   * drop-newest}.
   */
  DROP_NEWEST("drop-newest");

  private final String key;

  QueueOverflowPolicy(String key) {
    this.key = key;
  }

  /** The configuration spelling. */
  @JsonValue
  public String key() {
    return key;
  }

  /** Parses the configuration spelling. */
  @JsonCreator
  public static QueueOverflowPolicy fromKey(String key) {
    for (QueueOverflowPolicy p : values()) {
      if (p.key.equalsIgnoreCase(key)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "queueOverflow: expected drop-oldest or drop-newest but was " + key);
  }
}
