package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A child JVM's protocol output (stdout): one JSON object per line, written through a {@link
 * LineWriter} (in batches, without a thread of its own).
 */
final class ReplyWriter {

  private final ObjectMapper mapper;
  private final LineWriter out;

  ReplyWriter(ObjectMapper mapper, OutputStream out) {
    this.mapper = mapper;
    this.out = new LineWriter(out);
  }

  ObjectNode node() {
    return mapper.createObjectNode();
  }

  /**
   * Writes {@code line} (and what others queued) unless another thread is writing already.
   *
   * @throws UncheckedIOException when stdout is gone (the daemon stopped reading: it ends this JVM)
   */
  void write(ObjectNode line) {
    try {
      byte[] json = mapper.writeValueAsBytes(line);
      byte[] withNewline = Arrays.copyOf(json, json.length + 1);
      withNewline[json.length] = '\n';
      out.write(withNewline);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
