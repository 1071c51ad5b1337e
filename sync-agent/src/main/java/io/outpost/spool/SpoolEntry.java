package io.outpost.spool;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message bound for the cloud, as the daemon hands it to the spool after route matching and topic
 * rewrite.
 *
 * @param route name of the route that matched (for per-route stats and FIFO)
 * @param priority 0 (default, lowest) to 15: higher drains first; lower is evicted first on
 *     overflow
 * @param topic cloud-side topic (already rewritten)
 * @param payload message body (not copied; do not mutate after appending)
 * @param qos QoS of the cloud publish, 0 or 1 (2 is published as 1: the stable id makes duplicates
 *     harmless)
 * @param ttlMillis time to live from {@code receivedAtMillis}; {@code 0} = never expires
 * @param userProperties MQTT 5 user properties to forward (may be empty, never null)
 * @param contentType MQTT 5 content type or {@code null}
 * @param originClientId client id of the device that published it, or {@code null}
 * @param receivedAtMillis wall-clock time the gateway received it
 */
public record SpoolEntry(
    String route,
    int priority,
    String topic,
    byte[] payload,
    int qos,
    long ttlMillis,
    List<Map.Entry<String, String>> userProperties,
    String contentType,
    String originClientId,
    long receivedAtMillis) {

  public SpoolEntry {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (priority < SpoolKeys.MIN_PRIORITY || priority > SpoolKeys.MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority: must be "
              + SpoolKeys.MIN_PRIORITY
              + " to "
              + SpoolKeys.MAX_PRIORITY
              + ", got "
              + priority);
    }
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos: must be 0, 1 or 2, got " + qos);
    }
    if (ttlMillis < 0) {
      throw new IllegalArgumentException("ttlMillis: must be >= 0, got " + ttlMillis);
    }
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
  }

  /** A plain entry: no TTL, no properties, priority 0. */
  public static SpoolEntry of(
      String route, String topic, byte[] payload, int qos, long receivedAtMillis) {
    return new SpoolEntry(
        route, 0, topic, payload, qos, 0, List.of(), null, null, receivedAtMillis);
  }

  /** Expiry instant in epoch millis, or {@code 0} when the entry never expires. */
  public long expiresAtMillis() {
    return ttlMillis == 0 ? 0 : receivedAtMillis + ttlMillis;
  }
}
