package io.outpost.broker;

import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/**
 * One application message as the broker sees it: published by a client, injected through {@link
 * MqttBroker#publish(BrokerMessage)}, or restored from the store.
 *
 * <p>The payload buffer is shared, never copied, between every subscriber the message is delivered
 * to; treat it as read-only.
 *
 * @param topic topic name (never a filter)
 * @param payload payload bytes (may be empty)
 * @param qos the QoS the message was published with (0, 1 or 2)
 * @param retain the RETAIN flag as published
 * @param props MQTT 5 properties passed through to subscribers
 * @param publisherClientId the publishing client's id, or {@code null} for messages injected by the
 *     daemon
 * @param receivedAtMillis when the broker received the message (epoch millis); message expiry
 *     counts from here
 */
public record BrokerMessage(
    String topic,
    Buffer payload,
    int qos,
    boolean retain,
    MessageProperties props,
    String publisherClientId,
    long receivedAtMillis) {

  /** Validates the fields; {@code props} defaults to {@link MessageProperties#NONE}. */
  public BrokerMessage {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos: must be 0, 1 or 2 but was " + qos);
    }
    props = props == null ? MessageProperties.NONE : props;
  }

  /** Convenience factory for a message without properties or publisher, received now. */
  public static BrokerMessage of(String topic, Buffer payload, int qos, boolean retain) {
    return new BrokerMessage(
        topic, payload, qos, retain, MessageProperties.NONE, null, System.currentTimeMillis());
  }

  /** Epoch millis at which the message expires, or {@link Long#MAX_VALUE} when it never does. */
  public long expiresAtMillis() {
    Long expiry = props.messageExpirySeconds();
    return expiry == null ? Long.MAX_VALUE : receivedAtMillis + expiry * 1000L;
  }

  /** A copy with another RETAIN flag. */
  public BrokerMessage withRetain(boolean newRetain) {
    return newRetain == retain
        ? this
        : new BrokerMessage(
            topic, payload, qos, newRetain, props, publisherClientId, receivedAtMillis);
  }
}
