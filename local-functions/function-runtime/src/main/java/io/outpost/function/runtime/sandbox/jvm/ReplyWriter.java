package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.Publication;
import io.outpost.function.UserProperty;
import io.outpost.function.runtime.Messages;
import io.outpost.function.runtime.OutboundMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A child JVM's protocol output (stdout): one JSON object per line, encoded with Jackson's
 * streaming generator (no tree; payloads base64-encoded by the generator) and written through a
 * {@link LineWriter} (in batches, without a thread of its own). A result is encoded apart from its
 * writing ({@link #result}, {@link #error}, then {@link #send}) so that a worker can give its
 * concurrency slot back before the daemon can see the result and send the next request.
 */
final class ReplyWriter {

  private static final int LINE_BYTES = 256;

  private final JsonFactory json;
  private final LineWriter out;

  ReplyWriter(ObjectMapper mapper, OutputStream out) {
    this.json = mapper.getFactory();
    this.out = new LineWriter(out);
  }

  /** What a line carries after its id. */
  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /**
   * The result line of request {@code id}: what the handler returned.
   *
   * @throws IllegalArgumentException when a publication is not valid (the request fails with it)
   */
  byte[] result(long id, String function, List<Publication> returned) {
    List<OutboundMessage> messages = encode(function, returned);
    return line(id, g -> publications(g, "publish", messages));
  }

  /** The result line of a failed request. */
  byte[] error(long id, String message) {
    return line(id, g -> g.writeStringField("error", message));
  }

  /** The id-0 line saying the handler loaded. */
  void ready() {
    send(line(0, g -> g.writeBooleanField("ready", true)));
  }

  /** The id-0 line saying why the handler cannot be loaded. */
  void loadError(String message) {
    send(error(0, message));
  }

  /** A {@code publishNow} line: the daemon publishes {@code p} at once. */
  void publishNow(long id, String function, Publication p) {
    List<OutboundMessage> messages = encode(function, List.of(p));
    send(line(id, g -> publications(g, "publishNow", messages)));
  }

  /** A {@code log} line of the handler, filed under request {@code id}. */
  void log(long id, String level, String message) {
    send(
        line(
            id,
            g -> {
              g.writeStringField("log", level);
              g.writeStringField("message", message);
            }));
  }

  /**
   * Writes {@code line} (and what others queued) unless another thread is writing already.
   *
   * @throws UncheckedIOException when stdout is gone (the daemon stopped reading: it ends this JVM)
   */
  void send(byte[] line) {
    try {
      out.write(line);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private byte[] line(long id, Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(LINE_BYTES);
    try (JsonGenerator g = json.createGenerator(bytes)) {
      g.writeStartObject();
      g.writeNumberField("id", id);
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a byte array does not fail
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }

  private static List<OutboundMessage> encode(String function, List<Publication> publications) {
    if (publications == null || publications.isEmpty()) {
      return List.of();
    }
    List<OutboundMessage> out = new ArrayList<>(publications.size());
    for (Publication p : publications) {
      out.add(Messages.encode(function, p));
    }
    return out;
  }

  private static void publications(JsonGenerator g, String field, List<OutboundMessage> messages)
      throws IOException {
    g.writeArrayFieldStart(field);
    for (OutboundMessage m : messages) {
      g.writeStartObject();
      g.writeStringField("topic", m.topic());
      g.writeBinaryField("payloadBase64", m.payload());
      g.writeNumberField("qos", m.qos());
      g.writeBooleanField("retain", m.retain());
      g.writeArrayFieldStart("userProperties");
      for (UserProperty u : m.userProperties()) {
        g.writeStartObject();
        g.writeStringField("name", u.name());
        g.writeStringField("value", u.value());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
  }
}
