package io.outpost.cloud;

import java.util.List;
import java.util.Map;

/**
 * A message the cloud sent down to the gateway (cloud → local), handed to the daemon's downlink
 * callback.
 *
 * @param topic cloud-side topic it arrived on
 * @param payload body
 * @param qos QoS it was delivered with
 * @param retain whether it was a retained message
 * @param userProperties MQTT 5 user properties (empty for 3.1.1)
 * @param properties the other MQTT 5 application properties ({@link Properties#NONE} for 3.1.1)
 */
public record CloudMessage(
    String topic,
    byte[] payload,
    int qos,
    boolean retain,
    List<Map.Entry<String, String>> userProperties,
    Properties properties) {

  public CloudMessage {
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
    properties = properties == null ? Properties.NONE : properties;
  }

  /** A message with user properties only (MQTT 3.1.1, or MQTT 5 without other properties). */
  public CloudMessage(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      List<Map.Entry<String, String>> userProperties) {
    this(topic, payload, qos, retain, userProperties, Properties.NONE);
  }

  /**
   * The MQTT 5 application properties of a downlink besides user properties, as the cloud broker
   * delivered them; passed on unchanged to local subscribers.
   *
   * @param contentType content type, or {@code null}
   * @param responseTopic response topic (a cloud-side topic), or {@code null}
   * @param correlationData correlation data, or {@code null}
   * @param payloadFormatIndicator 1 when the cloud marked the payload UTF-8, else {@code null}
   * @param messageExpirySeconds the expiry interval left when the cloud delivered it, or {@code
   *     null} for none
   */
  public record Properties(
      String contentType,
      String responseTopic,
      byte[] correlationData,
      Integer payloadFormatIndicator,
      Long messageExpirySeconds) {

    /** No properties. */
    public static final Properties NONE = new Properties(null, null, null, null, null);
  }
}
