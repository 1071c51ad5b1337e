package io.outpost.sim.client;

/** The MQTT protocol version a simulated client speaks. */
public enum MqttVersion {
  /** MQTT 3.1.1, through Paho's v3 client. */
  V3_1_1,
  /** MQTT 5.0, through Paho's v5 client. */
  V5;

  /** Parses {@code 3}, {@code 3.1.1}, {@code 311}, {@code 5} or {@code 5.0}. */
  public static MqttVersion parse(String text) {
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "3", "3.1.1", "311", "v3", "v3_1_1" -> V3_1_1;
      case "5", "5.0", "v5" -> V5;
      default ->
          throw new IllegalArgumentException(
              "unknown MQTT version '" + text + "' (use 3.1.1 or 5)");
    };
  }
}
