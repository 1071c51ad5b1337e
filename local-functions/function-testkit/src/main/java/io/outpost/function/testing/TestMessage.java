package io.outpost.function.testing;

import io.outpost.function.UserProperty;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A triggering message for {@link FunctionTester#invoke(TestMessage)}, when a test needs more than
 * topic and payload: QoS, MQTT 5 user properties, the publisher's client id or the receive time.
 * Immutable; the {@code with*} methods return copies.
 *
 * <pre>{@code
 * tester.invoke(TestMessage.of("sensors/s1/temperature", "{\"celsius\": 20}")
 *     .withPublisher("s1")
 *     .receivedAt(Instant.parse("2026-01-01T00:00:01Z")));
 * }</pre>
 */
public final class TestMessage {

  private final String topic;
  private final byte[] payload;
  private final int qos;
  private final List<UserProperty> userProperties;
  private final String publisherClientId;
  private final Instant receivedAt;

  private TestMessage(
      String topic,
      byte[] payload,
      int qos,
      List<UserProperty> userProperties,
      String publisherClientId,
      Instant receivedAt) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.payload = payload;
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos: must be 0, 1 or 2, was " + qos);
    }
    this.qos = qos;
    this.userProperties = List.copyOf(userProperties);
    this.publisherClientId = publisherClientId;
    this.receivedAt = receivedAt;
  }

  /** A QoS 0 message with a UTF-8 payload, no properties, no publisher, received when invoked. */
  public static TestMessage of(String topic, String payload) {
    return of(topic, payload.getBytes(StandardCharsets.UTF_8));
  }

  /** A QoS 0 message with a binary payload (copied). */
  public static TestMessage of(String topic, byte[] payload) {
    return new TestMessage(topic, payload.clone(), 0, List.of(), null, null);
  }

  /** A copy with the given delivery QoS. */
  public TestMessage withQos(int newQos) {
    return new TestMessage(topic, payload, newQos, userProperties, publisherClientId, receivedAt);
  }

  /** A copy with one more MQTT 5 user property. */
  public TestMessage withUserProperty(String name, String value) {
    List<UserProperty> more = new ArrayList<>(userProperties);
    more.add(new UserProperty(name, value));
    return new TestMessage(topic, payload, qos, more, publisherClientId, receivedAt);
  }

  /** A copy published by the client with this id. */
  public TestMessage withPublisher(String clientId) {
    return new TestMessage(topic, payload, qos, userProperties, clientId, receivedAt);
  }

  /** A copy received at {@code instant} (otherwise the tester's clock says when). */
  public TestMessage receivedAt(Instant instant) {
    return new TestMessage(
        topic, payload, qos, userProperties, publisherClientId, Objects.requireNonNull(instant));
  }

  String topic() {
    return topic;
  }

  byte[] payload() {
    return payload;
  }

  int qos() {
    return qos;
  }

  List<UserProperty> userProperties() {
    return userProperties;
  }

  String publisherClientId() {
    return publisherClientId;
  }

  Instant receivedAtOr(Instant fallback) {
    return receivedAt == null ? fallback : receivedAt;
  }
}
