package io.outpost.function.testing;

import io.outpost.function.UserProperty;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message the handler under test produced (published through {@code Context.publish} or
 * returned), as the daemon would put it on the local broker: JSON publications are already
 * serialised with the runtime's JSON rules.
 *
 * <pre>{@code
 * PublishedMessage alert = result.outputs().get(0);
 * assertThat(alert.topic()).isEqualTo("alerts/s1");
 * alert.assertJsonEquals("{\"sensor\": \"s1\", \"celsius\": 31.5}"); // key order and spacing ignored
 * }</pre>
 *
 * @param topic the topic it goes to
 * @param payload the payload bytes (a copy is handed out by {@link #payload()})
 * @param qos the QoS (0, 1 or 2)
 * @param retain the retain flag
 * @param userProperties MQTT 5 user properties, in order
 */
public record PublishedMessage(
    String topic, byte[] payload, int qos, boolean retain, List<UserProperty> userProperties) {

  /** Copies the payload and the property list. */
  public PublishedMessage {
    Objects.requireNonNull(topic, "topic");
    payload = payload.clone();
    userProperties = List.copyOf(userProperties);
  }

  /** The payload bytes; a fresh copy on every call. */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload decoded as UTF-8 text. */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /**
   * The payload parsed as JSON into plain Java values ({@code Map}, {@code List}, {@code String},
   * {@code Number}, {@code Boolean}, {@code null}), for assertions on single fields.
   *
   * @throws AssertionError when the payload is not JSON
   */
  public Object payloadJson() {
    return TestJson.parse(payloadAsString(), "payload on " + topic);
  }

  /**
   * True when the payload and {@code expectedJson} are the same JSON value: objects compare by
   * their members whatever their order, numbers by value ({@code 1} equals {@code 1.0}), spacing is
   * irrelevant.
   */
  public boolean payloadJsonEquals(String expectedJson) {
    return TestJson.sameJson(
        TestJson.parse(expectedJson, "expected JSON"),
        TestJson.parse(payloadAsString(), "payload on " + topic));
  }

  /**
   * Fails with both documents, normalised, unless the payload is the same JSON value as {@code
   * expectedJson} (see {@link #payloadJsonEquals}).
   *
   * @throws AssertionError when they differ or either is not JSON
   */
  public void assertJsonEquals(String expectedJson) {
    JsonAssertions.assertJsonEquals(expectedJson, payloadAsString());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PublishedMessage m
        && topic.equals(m.topic)
        && Arrays.equals(payload, m.payload)
        && qos == m.qos
        && retain == m.retain
        && userProperties.equals(m.userProperties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, Arrays.hashCode(payload), qos, retain, userProperties);
  }

  @Override
  public String toString() {
    return topic + " " + payloadAsString() + " (qos " + qos + (retain ? ", retained)" : ")");
  }
}
