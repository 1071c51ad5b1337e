package io.outpost.function.runtime;

import io.outpost.function.UserProperty;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A message a function produced (or an error record about it), for {@link FunctionHost#publish}.
 *
 * @param topic the topic to publish to
 * @param payload the payload bytes
 * @param qos the QoS
 * @param retain the retain flag
 * @param userProperties MQTT 5 user properties
 * @param function the producing function's name, so the daemon can attribute it (e.g. as the
 *     publisher client id)
 */
public record OutboundMessage(
    String topic,
    byte[] payload,
    int qos,
    boolean retain,
    List<UserProperty> userProperties,
    String function) {

  /** Validates and copies the property list. */
  public OutboundMessage {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(function, "function");
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
  }

  /** The payload decoded as UTF-8 (for logs, tests and the CLI). */
  public String payloadAsString() {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
