package io.outpost.cloud;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpooledMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Encodes the JSON batch envelope documented on {@link BatchingOptions}. */
final class BatchEnvelope {
  /** Envelope format version. */
  static final int VERSION = 1;

  private static final byte[] FOOTER = {']', '}'};

  private final JsonFactory json = new JsonFactory();
  private final byte[] header;

  BatchEnvelope(String gateway) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("v", VERSION);
      g.writeStringField("gateway", gateway);
      g.writeFieldName("messages");
      g.writeStartArray();
      g.flush();
      this.header = out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes an envelope needs besides its messages and the commas between them. */
  int overhead() {
    return header.length + FOOTER.length;
  }

  /** One message as a JSON object. */
  byte[] encode(SpooledMessage message) {
    SpoolEntry e = message.entry();
    ByteArrayOutputStream out = new ByteArrayOutputStream(e.payload().length * 4 / 3 + 160);
    try (JsonGenerator g = json.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("id", message.id());
      g.writeStringField("route", e.route());
      g.writeStringField("topic", e.topic());
      g.writeNumberField("qos", e.qos());
      g.writeNumberField("receivedAt", e.receivedAtMillis());
      if (e.contentType() != null) {
        g.writeStringField("contentType", e.contentType());
      }
      if (e.originClientId() != null) {
        g.writeStringField("origin", e.originClientId());
      }
      if (!e.userProperties().isEmpty()) {
        g.writeFieldName("userProperties");
        g.writeStartArray();
        for (Map.Entry<String, String> p : e.userProperties()) {
          g.writeStartArray();
          g.writeString(p.getKey());
          g.writeString(p.getValue());
          g.writeEndArray();
        }
        g.writeEndArray();
      }
      g.writeFieldName("payload");
      g.writeBinary(e.payload());
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  /** Joins encoded messages into an envelope. */
  byte[] assemble(List<byte[]> parts) {
    int size = overhead() + Math.max(0, parts.size() - 1);
    for (byte[] part : parts) {
      size += part.length;
    }
    byte[] out = new byte[size];
    System.arraycopy(header, 0, out, 0, header.length);
    int at = header.length;
    for (int i = 0; i < parts.size(); i++) {
      if (i > 0) {
        out[at++] = ',';
      }
      System.arraycopy(parts.get(i), 0, out, at, parts.get(i).length);
      at += parts.get(i).length;
    }
    System.arraycopy(FOOTER, 0, out, at, FOOTER.length);
    return out;
  }
}
