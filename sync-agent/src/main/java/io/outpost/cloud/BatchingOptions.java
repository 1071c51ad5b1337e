package io.outpost.cloud;

/**
 * Packing many spooled messages into one cloud publish ({@code cloud.batching}), so a connection
 * under a publish quota (AWS IoT Core: 100 publishes/s, 128 KB per message) still drains thousands
 * of messages per second.
 *
 * <p>A batch is published with QoS 1 to {@code topic} as a JSON envelope:
 *
 * <pre>{@code
 * {"v":1,"gateway":"edge-1","messages":[
 *   {"id":1751234567890,"route":"telemetry","topic":"devices/t1/temp","qos":1,"receivedAt":1764000000000,
 *    "contentType":"application/json","userProperties":[["k","v"]],"payload":"<base64>"}, ...]}
 * }</pre>
 *
 * {@code id} is the stable spool id: consumers drop a message whose id they have already processed.
 * Optional fields are omitted when empty.
 *
 * @param enabled pack messages into envelopes. Default {@code false}.
 * @param maxBytes largest envelope in bytes. Default {@value #DEFAULT_MAX_BYTES} (128 KiB, the AWS
 *     IoT Core limit).
 * @param maxMessages most messages per envelope. Default {@value #DEFAULT_MAX_MESSAGES}.
 * @param topic topic envelopes are published to; {@code {clientId}} is replaced. Default {@value
 *     #DEFAULT_TOPIC}.
 */
public record BatchingOptions(
    Boolean enabled, Integer maxBytes, Integer maxMessages, String topic) {
  public static final int DEFAULT_MAX_BYTES = 128 * 1024;
  public static final int DEFAULT_MAX_MESSAGES = 1000;
  public static final String DEFAULT_TOPIC = "outpost/{clientId}/batch";

  /** Smallest useful envelope. */
  static final int MIN_MAX_BYTES = 1024;

  public BatchingOptions {
    enabled = enabled != null && enabled;
    maxBytes = maxBytes == null ? DEFAULT_MAX_BYTES : maxBytes;
    if (maxBytes < MIN_MAX_BYTES) {
      throw new IllegalArgumentException(
          "batching.maxBytes: must be >= " + MIN_MAX_BYTES + ", got " + maxBytes);
    }
    maxMessages = maxMessages == null ? DEFAULT_MAX_MESSAGES : maxMessages;
    if (maxMessages <= 0) {
      throw new IllegalArgumentException("batching.maxMessages: must be > 0, got " + maxMessages);
    }
    topic = topic == null ? DEFAULT_TOPIC : topic;
    if (topic.isBlank() || topic.contains("+") || topic.contains("#")) {
      throw new IllegalArgumentException(
          "batching.topic: must be a topic name without wildcards, got '" + topic + "'");
    }
  }

  /** Batching off. */
  public static BatchingOptions disabled() {
    return new BatchingOptions(false, null, null, null);
  }

  /** Batching on with default sizes. */
  public static BatchingOptions enabledDefaults() {
    return new BatchingOptions(true, null, null, null);
  }
}
