package io.outpost.broker;

import java.util.List;
import java.util.Map;

/**
 * The MQTT 5 application properties of a message that the broker passes through unchanged from
 * publisher to subscribers (and to the {@link PublishRouter}). Messages from MQTT 3.1.1 clients
 * carry {@link #NONE}.
 *
 * @param userProperties user properties in order (names may repeat); never {@code null}
 * @param contentType content type, or {@code null}
 * @param responseTopic response topic, or {@code null}
 * @param correlationData correlation data, or {@code null}
 * @param payloadFormatIndicator 0 (bytes) or 1 (UTF-8), or {@code null} when absent
 * @param messageExpirySeconds message expiry interval as sent by the publisher, or {@code null} for
 *     no expiry
 */
public record MessageProperties(
    List<Map.Entry<String, String>> userProperties,
    String contentType,
    String responseTopic,
    byte[] correlationData,
    Integer payloadFormatIndicator,
    Long messageExpirySeconds) {

  /** No properties. */
  public static final MessageProperties NONE =
      new MessageProperties(List.of(), null, null, null, null, null);

  /** Copies the user-property list and validates ranges. */
  public MessageProperties {
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    if (messageExpirySeconds != null
        && (messageExpirySeconds < 0 || messageExpirySeconds > 0xFFFF_FFFFL)) {
      throw new IllegalArgumentException(
          "messageExpirySeconds: out of range " + messageExpirySeconds);
    }
  }

  /** A copy with a different message expiry interval. */
  public MessageProperties withMessageExpirySeconds(Long seconds) {
    return new MessageProperties(
        userProperties,
        contentType,
        responseTopic,
        correlationData,
        payloadFormatIndicator,
        seconds);
  }

  /** Whether there is nothing to send. */
  public boolean isEmpty() {
    return userProperties.isEmpty()
        && contentType == null
        && responseTopic == null
        && correlationData == null
        && payloadFormatIndicator == null
        && messageExpirySeconds == null;
  }
}
