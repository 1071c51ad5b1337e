package io.outpost.function.runtime.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.function.runtime.FunctionLogRecord;
import io.outpost.function.runtime.LogSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** The on-disk form of a log line: one JSON object per line. */
final class LogLines {

  private static final ObjectMapper JSON = new ObjectMapper();

  private LogLines() {}

  static byte[] encode(FunctionLogRecord r) {
    ObjectNode node =
        JSON.createObjectNode()
            .put("time", r.time().toString())
            .put("level", r.level())
            .put("source", r.source().tag());
    if (r.invocationId() != null) {
      node.put("invocation", r.invocationId());
    }
    node.put("message", r.message());
    try {
      byte[] json = JSON.writeValueAsBytes(node);
      byte[] line = new byte[json.length + 1];
      System.arraycopy(json, 0, line, 0, json.length);
      line[json.length] = '\n';
      return line;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode a log line", e);
    }
  }

  /** The record of one stored line, or null for a line that is cut or not ours. */
  static FunctionLogRecord decode(String line) {
    try {
      JsonNode n = JSON.readTree(line.getBytes(StandardCharsets.UTF_8));
      if (n == null || !n.hasNonNull("time")) {
        return null;
      }
      return new FunctionLogRecord(
          Instant.parse(n.get("time").asText()),
          n.path("level").asText("INFO"),
          LogSource.ofTag(n.path("source").asText()),
          n.hasNonNull("invocation") ? n.get("invocation").asText() : null,
          n.path("message").asText(""));
    } catch (IOException | DateTimeParseException e) {
      return null; // a line cut by a crash mid-write: skipped, the rest is readable
    }
  }
}
