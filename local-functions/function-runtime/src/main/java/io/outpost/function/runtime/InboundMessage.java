package io.outpost.function.runtime;

import io.outpost.function.UserProperty;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A message handed to {@link FunctionRuntime#invoke}: what the broker received.
 *
 * @param topic the topic it was published to
 * @param payload the payload; not copied, callers must not mutate it afterwards
 * @param qos the delivery QoS
 * @param userProperties MQTT 5 user properties (empty for 3.1.1)
 * @param publisherClientId the publisher's client id, or null (e.g. an admin test invoke)
 * @param receivedAt when the broker received it
 */
public record InboundMessage(
    String topic,
    byte[] payload,
    int qos,
    List<UserProperty> userProperties,
    String publisherClientId,
    Instant receivedAt) {

  /** Validates and copies the property list. */
  public InboundMessage {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(receivedAt, "receivedAt");
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos: must be 0, 1 or 2, was " + qos);
    }
  }

  /** A QoS 0 message without properties or publisher, e.g. for {@code outpost functions invoke}. */
  public static InboundMessage of(String topic, String payload, Instant receivedAt) {
    return new InboundMessage(
        topic, payload.getBytes(StandardCharsets.UTF_8), 0, List.of(), null, receivedAt);
  }
}
