package io.outpost.function;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A message a handler wants published to the local broker. Immutable; the {@code with*} methods
 * return copies.
 *
 * <pre>{@code
 * Publication.json("alerts/temperature", Map.of("sensor", id, "celsius", value)).withQos(1);
 * Publication.text("status/line-3", "ok");
 * }</pre>
 *
 * <p>A {@linkplain #json(String, Object) JSON publication} carries a Java value (map, list, record,
 * bean, string, number...) that the runtime serialises with its own JSON library, so this API stays
 * dependency-free.
 */
public final class Publication {

  /** QoS used unless {@link #withQos(int)} says otherwise. */
  public static final int DEFAULT_QOS = 0;

  private final String topic;
  private final byte[] payload;
  private final Object jsonBody;
  private final int qos;
  private final boolean retain;
  private final List<UserProperty> userProperties;

  private Publication(
      String topic,
      byte[] payload,
      Object jsonBody,
      int qos,
      boolean retain,
      List<UserProperty> userProperties) {
    this.topic = Objects.requireNonNull(topic, "topic");
    if (topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
      throw new IllegalArgumentException(
          "topic: must be a non-empty topic name without wildcards: " + topic);
    }
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos: must be 0, 1 or 2, was " + qos);
    }
    this.payload = payload;
    this.jsonBody = jsonBody;
    this.qos = qos;
    this.retain = retain;
    this.userProperties = userProperties;
  }

  /** A publication with raw bytes (copied). */
  public static Publication bytes(String topic, byte[] payload) {
    return new Publication(topic, payload.clone(), null, DEFAULT_QOS, false, List.of());
  }

  /** A publication whose payload is {@code text} encoded as UTF-8. */
  public static Publication text(String topic, String text) {
    return new Publication(
        topic, text.getBytes(StandardCharsets.UTF_8), null, DEFAULT_QOS, false, List.of());
  }

  /** A publication whose payload is {@code body} serialised as JSON by the runtime. */
  public static Publication json(String topic, Object body) {
    return new Publication(topic, null, body, DEFAULT_QOS, false, List.of());
  }

  /** A copy with the given QoS (0, 1 or 2). */
  public Publication withQos(int newQos) {
    return new Publication(topic, payload, jsonBody, newQos, retain, userProperties);
  }

  /** A copy with the retain flag set as given. */
  public Publication withRetain(boolean newRetain) {
    return new Publication(topic, payload, jsonBody, qos, newRetain, userProperties);
  }

  /** A copy with one more MQTT 5 user property. */
  public Publication withUserProperty(String name, String value) {
    List<UserProperty> more = new ArrayList<>(userProperties);
    more.add(new UserProperty(name, value));
    return new Publication(
        topic, payload, jsonBody, qos, retain, Collections.unmodifiableList(more));
  }

  /** The topic to publish to. */
  public String topic() {
    return topic;
  }

  /** True when the payload is a Java value to be serialised as JSON (see {@link #jsonBody()}). */
  public boolean isJson() {
    return payload == null;
  }

  /** The raw payload (a copy), or null for a JSON publication. */
  public byte[] payload() {
    return payload == null ? null : payload.clone();
  }

  /** The value to serialise as JSON, or null for a raw publication. */
  public Object jsonBody() {
    return jsonBody;
  }

  /** The QoS. */
  public int qos() {
    return qos;
  }

  /** The retain flag. */
  public boolean retain() {
    return retain;
  }

  /** MQTT 5 user properties, unmodifiable. */
  public List<UserProperty> userProperties() {
    return userProperties;
  }

  @Override
  public String toString() {
    return "Publication[topic="
        + topic
        + ", qos="
        + qos
        + ", retain="
        + retain
        + (payload == null ? ", json=" + jsonBody : ", bytes=" + payload.length)
        + "]";
  }
}
