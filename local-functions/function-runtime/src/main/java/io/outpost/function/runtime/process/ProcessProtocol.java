package io.outpost.function.runtime.process;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InputEncoding;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.RuntimeKind;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.invoke.Invocation;
import io.outpost.function.runtime.invoke.InvocationContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The process runtime's line protocol (documented in docs/functions.md): one JSON object per line
 * on the child's stdin per invocation, one JSON object per line on its stdout per result, matched
 * by {@code id} (several may be in flight when the function declares {@code maxConcurrency}; their
 * results may come in any order), plus {@code publishNow} and {@code log} lines carrying the id of
 * the invocation they belong to.
 */
public final class ProcessProtocol {

  private ProcessProtocol() {}

  /**
   * Encodes one request line (with the trailing newline), streamed straight to bytes: no JSON tree
   * is built for the request itself.
   *
   * @throws PayloadFormatException when the function takes JSON and the payload is not
   */
  public static byte[] request(
      long id, Invocation inv, InvocationContext ctx, FunctionSpec spec, ObjectMapper mapper)
      throws IOException {
    InboundMessage m = inv.message;
    JsonNode payload = null;
    if (spec.descriptor().inputEncoding() == InputEncoding.JSON) {
      try {
        payload = mapper.readTree(m.payload());
      } catch (IOException e) {
        throw new PayloadFormatException(
            "payload on " + m.topic() + " is not JSON (inputEncoding: json)", e);
      }
      if (spec.descriptor().runtime() == RuntimeKind.JAVA) {
        payload =
            null; // a child JVM hands the handler the very bytes, as the in-process runtime does
      }
    }
    ByteArrayOutputStream line = new ByteArrayOutputStream(256 + m.payload().length * 2);
    try (JsonGenerator g = mapper.getFactory().createGenerator(line)) {
      g.writeStartObject();
      g.writeNumberField("id", id);
      g.writeStringField("invocationId", inv.id);
      g.writeStringField("function", spec.name());
      g.writeStringField("version", spec.version());
      g.writeStringField("topic", m.topic());
      if (payload != null) {
        g.writeFieldName("payload");
        mapper.writeTree(g, payload);
      } else {
        g.writeBinaryField("payloadBase64", m.payload());
      }
      g.writeNumberField("qos", m.qos());
      g.writeStringField("clientId", m.publisherClientId());
      g.writeStringField("receivedAt", m.receivedAt().toString());
      if (spec.descriptor().runtime() == RuntimeKind.JAVA
          && m.receivedAt().getNano() % 1_000_000 == 0) {
        // the same instant for a child JVM without parsing the ISO text (whole milliseconds only)
        g.writeNumberField("receivedAtMillis", m.receivedAt().toEpochMilli());
      }
      g.writeArrayFieldStart("userProperties");
      for (UserProperty p : m.userProperties()) {
        g.writeStartObject();
        g.writeStringField("name", p.name());
        g.writeStringField("value", p.value());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeNumberField("timeoutMillis", ctx.remainingTime().toMillis());
      g.writeEndObject();
    }
    line.write('\n');
    return line.toByteArray();
  }

  /**
   * Decodes a result: its {@code publish} list, or throws with the child's {@code error}.
   *
   * @throws ProcessFunctionException when the child reported an error or the reply is malformed
   */
  public static List<OutboundMessage> outputs(JsonNode reply, String function, ObjectMapper mapper)
      throws IOException {
    JsonNode error = reply.get("error");
    if (error != null && !error.isNull()) {
      throw new ProcessFunctionException(error.isTextual() ? error.asText() : error.toString());
    }
    JsonNode publish = reply.get("publish");
    if (publish == null || publish.isNull()) {
      return List.of();
    }
    if (!publish.isArray()) {
      throw new ProcessFunctionException("protocol: 'publish' must be an array");
    }
    List<OutboundMessage> out = new ArrayList<>(publish.size());
    for (JsonNode p : publish) {
      out.add(output(p, function, mapper));
    }
    return out;
  }

  private static OutboundMessage output(JsonNode p, String function, ObjectMapper mapper)
      throws IOException {
    String topic = p.path("topic").asText("");
    if (topic.isEmpty() || topic.contains("+") || topic.contains("#")) {
      throw new ProcessFunctionException(
          "protocol: publish needs a topic without wildcards, got " + p);
    }
    byte[] payload;
    if (p.hasNonNull("payloadBase64")) {
      payload = Base64.getDecoder().decode(p.get("payloadBase64").asText());
    } else if (p.hasNonNull("text")) {
      payload = p.get("text").asText().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    } else {
      payload = mapper.writeValueAsBytes(p.get("payload"));
    }
    int qos = p.path("qos").asInt(0);
    if (qos < 0 || qos > 2) {
      throw new ProcessFunctionException("protocol: qos must be 0, 1 or 2, got " + qos);
    }
    List<UserProperty> props = new ArrayList<>();
    for (JsonNode prop : p.path("userProperties")) {
      props.add(new UserProperty(prop.path("name").asText(), prop.path("value").asText()));
    }
    return new OutboundMessage(
        topic, payload, qos, p.path("retain").asBoolean(false), props, function);
  }

  /** A failure reported by (or a malformed reply from) a process function. */
  static final class ProcessFunctionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ProcessFunctionException(String message) {
      super(message);
    }
  }
}
