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
 */
public record CloudMessage(
    String topic,
    byte[] payload,
    int qos,
    boolean retain,
    List<Map.Entry<String, String>> userProperties) {
  public CloudMessage {
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
  }
}
