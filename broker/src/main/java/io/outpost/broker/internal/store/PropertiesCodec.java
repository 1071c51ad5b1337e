package io.outpost.broker.internal.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.broker.MessageProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Encodes {@link MessageProperties} as a compact JSON column (null when empty). */
final class PropertiesCodec {

  private static final ObjectMapper JSON = new ObjectMapper();

  private PropertiesCodec() {}

  static String encode(MessageProperties p) {
    if (p.isEmpty()) {
      return null;
    }
    ObjectNode o = JSON.createObjectNode();
    if (!p.userProperties().isEmpty()) {
      ArrayNode users = o.putArray("u");
      p.userProperties().forEach(e -> users.addArray().add(e.getKey()).add(e.getValue()));
    }
    if (p.contentType() != null) {
      o.put("ct", p.contentType());
    }
    if (p.responseTopic() != null) {
      o.put("rt", p.responseTopic());
    }
    if (p.correlationData() != null) {
      o.put("cd", p.correlationData());
    }
    if (p.payloadFormatIndicator() != null) {
      o.put("pf", p.payloadFormatIndicator());
    }
    if (p.messageExpirySeconds() != null) {
      o.put("me", p.messageExpirySeconds());
    }
    return o.toString();
  }

  static MessageProperties decode(String json) throws JsonProcessingException {
    if (json == null) {
      return MessageProperties.NONE;
    }
    JsonNode o = JSON.readTree(json);
    List<Map.Entry<String, String>> users = new ArrayList<>();
    if (o.has("u")) {
      o.get("u").forEach(pair -> users.add(Map.entry(pair.get(0).asText(), pair.get(1).asText())));
    }
    try {
      return new MessageProperties(
          users,
          text(o, "ct"),
          text(o, "rt"),
          o.has("cd") ? o.get("cd").binaryValue() : null,
          o.has("pf") ? o.get("pf").asInt() : null,
          o.has("me") ? o.get("me").asLong() : null);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("corrupt correlation data in store: " + json, e);
    }
  }

  private static String text(JsonNode o, String key) {
    return o.has(key) ? o.get(key).asText() : null;
  }
}
