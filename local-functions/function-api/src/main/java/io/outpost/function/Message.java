package io.outpost.function;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The message that triggered an invocation: topic, raw payload, parsed JSON views, MQTT 5 user
 * properties, the publisher and the time the gateway received it.
 *
 * <p>The JSON accessors are served by the runtime's JSON library, so this API has no dependencies.
 * They throw {@link PayloadFormatException} when the payload is not valid JSON (or does not fit the
 * requested type).
 */
public interface Message {

  /** The topic the message was published to (never a filter). */
  String topic();

  /** The payload bytes; a fresh copy on every call. */
  byte[] payload();

  /** The payload decoded as UTF-8 text. */
  String payloadAsString();

  /**
   * The payload parsed as JSON into plain Java values: {@code Map<String, Object>} for objects,
   * {@code List<Object>} for arrays, {@code String}, {@code Number}, {@code Boolean} or {@code
   * null}.
   */
  Object json();

  /** The payload parsed as a JSON object; fails if the payload is JSON but not an object. */
  Map<String, Object> jsonObject();

  /**
   * The payload bound to {@code type} (a record or bean); unknown JSON fields are ignored.
   *
   * @param type the target type
   * @param <T> the target type
   * @return the bound value
   */
  <T> T jsonAs(Class<T> type);

  /**
   * A numeric field of a JSON object payload, addressed by a dotted path such as {@code
   * "reading.celsius"}.
   *
   * @param path dot-separated field names
   * @return the number, or empty when the path is missing or not a number
   */
  Optional<Double> number(String path);

  /** MQTT 5 user properties in the order they were sent; empty for MQTT 3.1.1 publishers. */
  List<UserProperty> userProperties();

  /** The first user property with this name, if any. */
  default Optional<String> userProperty(String name) {
    return userProperties().stream()
        .filter(p -> p.name().equals(name))
        .map(UserProperty::value)
        .findFirst();
  }

  /**
   * The client id of the publisher; empty when the message did not come from an MQTT client (e.g. a
   * test invoke).
   */
  Optional<String> publisherClientId();

  /** When the gateway received the message. */
  Instant receivedAt();

  /** The QoS the message was delivered with (0, 1 or 2). */
  int qos();
}
