package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.outpost.broker.MessageProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Converts between Netty's MQTT 5 property lists and {@link MessageProperties}. */
final class PropertiesMapper {

  private PropertiesMapper() {}

  /** The pass-through application properties of an incoming PUBLISH or will. */
  static MessageProperties fromMqtt(MqttProperties p) {
    if (p == null || p.isEmpty()) {
      return MessageProperties.NONE;
    }
    List<Map.Entry<String, String>> users = new ArrayList<>();
    for (MqttProperties.MqttProperty<?> prop : p.getProperties(MqttProperties.USER_PROPERTY)) {
      if (prop instanceof MqttProperties.UserProperties up) {
        for (MqttProperties.StringPair pair : up.value()) {
          users.add(Map.entry(pair.key, pair.value));
        }
      } else if (prop instanceof MqttProperties.UserProperty single) {
        users.add(Map.entry(single.value().key, single.value().value));
      }
    }
    Integer expiry = intValue(p, MqttProperties.PUBLICATION_EXPIRY_INTERVAL);
    return new MessageProperties(
        users,
        stringValue(p, MqttProperties.CONTENT_TYPE),
        stringValue(p, MqttProperties.RESPONSE_TOPIC),
        bytesValue(p, MqttProperties.CORRELATION_DATA),
        intValue(p, MqttProperties.PAYLOAD_FORMAT_INDICATOR),
        expiry == null ? null : Integer.toUnsignedLong(expiry));
  }

  /**
   * Properties of an outgoing PUBLISH: pass-through ones, remaining expiry and subscription
   * identifiers.
   */
  static MqttProperties toMqtt(
      MessageProperties m, Long remainingExpirySeconds, int[] subscriptionIds) {
    if (m.isEmpty() && remainingExpirySeconds == null && subscriptionIds.length == 0) {
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties p = new MqttProperties();
    if (!m.userProperties().isEmpty()) {
      MqttProperties.UserProperties users = new MqttProperties.UserProperties();
      m.userProperties().forEach(e -> users.add(e.getKey(), e.getValue()));
      p.add(users);
    }
    if (m.contentType() != null) {
      p.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, m.contentType()));
    }
    if (m.responseTopic() != null) {
      p.add(new MqttProperties.StringProperty(MqttProperties.RESPONSE_TOPIC, m.responseTopic()));
    }
    if (m.correlationData() != null) {
      p.add(
          new MqttProperties.BinaryProperty(MqttProperties.CORRELATION_DATA, m.correlationData()));
    }
    if (m.payloadFormatIndicator() != null) {
      p.add(
          new MqttProperties.IntegerProperty(
              MqttProperties.PAYLOAD_FORMAT_INDICATOR, m.payloadFormatIndicator()));
    }
    if (remainingExpirySeconds != null) {
      p.add(
          new MqttProperties.IntegerProperty(
              MqttProperties.PUBLICATION_EXPIRY_INTERVAL, (int) (long) remainingExpirySeconds));
    }
    for (int id : subscriptionIds) {
      p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER, id));
    }
    return p;
  }

  static Integer intValue(MqttProperties p, int id) {
    MqttProperties.MqttProperty<?> prop = p == null ? null : p.getProperty(id);
    return prop != null && prop.value() instanceof Integer i ? i : null;
  }

  static String stringValue(MqttProperties p, int id) {
    MqttProperties.MqttProperty<?> prop = p == null ? null : p.getProperty(id);
    return prop != null && prop.value() instanceof String s ? s : null;
  }

  static byte[] bytesValue(MqttProperties p, int id) {
    MqttProperties.MqttProperty<?> prop = p == null ? null : p.getProperty(id);
    return prop != null && prop.value() instanceof byte[] b ? b : null;
  }

  /** Properties carrying just a Reason String (MQTT 5 only). */
  static MqttProperties reason(String text) {
    if (text == null) {
      return MqttProperties.NO_PROPERTIES;
    }
    MqttProperties p = new MqttProperties();
    p.add(new MqttProperties.StringProperty(MqttProperties.REASON_STRING, text));
    return p;
  }
}
