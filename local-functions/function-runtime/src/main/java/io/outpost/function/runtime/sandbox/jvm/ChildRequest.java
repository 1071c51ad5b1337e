package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.InboundMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One request of the process line protocol as a child JVM reads it, decoded with Jackson's
 * streaming parser straight from the line's bytes: no JSON tree, the payload's base64 decoded by
 * the parser, and the epoch-millisecond {@code receivedAtMillis} the daemon sends a child JVM used
 * instead of parsing the ISO {@code receivedAt} (which stays for older daemons and other programs).
 *
 * @param id the request id its result must carry
 * @param timeoutMillis what is left of the invocation's timeout
 * @param message the message the handler gets
 */
record ChildRequest(long id, long timeoutMillis, InboundMessage message) {

  private static final byte[] JSON_NULL = "null".getBytes(StandardCharsets.US_ASCII);

  /**
   * Decodes one request line; fields it does not know are skipped, missing ones take the defaults
   * of the protocol (no topic: empty, no qos: 0, no time: now).
   *
   * @throws IOException when the line is not a JSON object or a field has the wrong shape
   */
  static ChildRequest parse(byte[] line, ObjectMapper mapper) throws IOException {
    long id = 0;
    long timeoutMillis = 0;
    String topic = "";
    byte[] base64Payload = null;
    byte[] jsonPayload = null;
    int qos = 0;
    String clientId = null;
    String receivedAtIso = null;
    Instant receivedAt = null;
    List<UserProperty> properties = List.of();
    try (JsonParser p = mapper.getFactory().createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("protocol: a request is a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        if (p.nextToken() == JsonToken.VALUE_NULL) {
          continue;
        }
        switch (field) {
          case "id" -> id = p.getValueAsLong();
          case "timeoutMillis" -> timeoutMillis = p.getValueAsLong();
          case "topic" -> topic = p.getValueAsString("");
          case "payloadBase64" -> base64Payload = p.getBinaryValue();
          case "payload" -> jsonPayload = mapper.writeValueAsBytes(mapper.readTree(p));
          case "qos" -> qos = p.getValueAsInt();
          case "clientId" -> clientId = p.getValueAsString();
          case "receivedAtMillis" -> receivedAt = Instant.ofEpochMilli(p.getValueAsLong());
          case "receivedAt" -> receivedAtIso = p.getValueAsString();
          case "userProperties" -> properties = properties(p);
          default -> p.skipChildren();
        }
      }
    }
    if (receivedAt == null) {
      receivedAt = receivedAtIso != null ? Instant.parse(receivedAtIso) : Instant.now();
    }
    byte[] payload =
        base64Payload != null ? base64Payload : jsonPayload != null ? jsonPayload : JSON_NULL;
    return new ChildRequest(
        id,
        timeoutMillis,
        new InboundMessage(topic, payload, qos, properties, clientId, receivedAt));
  }

  /** Reads the array of {@code {name, value}} objects the parser is at. */
  private static List<UserProperty> properties(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return List.of();
    }
    List<UserProperty> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.START_OBJECT) {
        p.skipChildren();
        continue;
      }
      String name = "";
      String value = "";
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("name")) {
          name = p.getValueAsString("");
        } else if (field.equals("value")) {
          value = p.getValueAsString("");
        } else {
          p.skipChildren();
        }
      }
      out.add(new UserProperty(name, value));
    }
    return out.isEmpty() ? List.of() : out;
  }
}
