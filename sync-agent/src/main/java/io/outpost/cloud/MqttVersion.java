package io.outpost.cloud;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * MQTT protocol version of the cloud connection ({@code cloud.mqttVersion}: {@code 5} or {@code
 * 3.1.1}).
 */
public enum MqttVersion {
  /** MQTT 5 (default): user properties carry the message id, PUBACK reason codes are honoured. */
  V5("5"),
  /** MQTT 3.1.1: no properties (enable batching to deliver ids) and no reason codes. */
  V3_1_1("3.1.1");

  private final String key;

  MqttVersion(String key) {
    this.key = key;
  }

  @JsonValue
  public String key() {
    return key;
  }

  /** Accepts {@code 5}, {@code 5.0}, {@code v5}, {@code 3.1.1}, {@code 3}, {@code v3}. */
  @JsonCreator
  public static MqttVersion fromKey(Object value) {
    String text = String.valueOf(value).trim().toLowerCase(java.util.Locale.ROOT);
    text = text.startsWith("v") ? text.substring(1) : text;
    return switch (text) {
      case "5", "5.0" -> V5;
      case "3.1.1", "3", "4" -> V3_1_1;
      default ->
          throw new IllegalArgumentException(
              "mqttVersion: expected 5 or 3.1.1, got '" + value + "'");
    };
  }
}
