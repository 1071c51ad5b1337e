package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;

/**
 * A child JVM's protocol output (stdout): one JSON object per line, written in batches without a
 * thread of its own. Each caller encodes its line, then the one that finds no write in progress
 * writes every line queued meanwhile and flushes once; the others return at once.
 */
final class ReplyWriter {

  private final ObjectMapper mapper;
  private final OutputStream out;
  private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
  private boolean writing;

  ReplyWriter(ObjectMapper mapper, OutputStream out) {
    this.mapper = mapper;
    this.out = out;
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
    byte[] json;
    try {
      json = mapper.writeValueAsBytes(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
    withNewline[json.length] = '\n';
    synchronized (this) {
      queued.addLast(withNewline);
      if (writing) {
        return;
      }
      writing = true;
    }
    while (true) {
      byte[][] batch;
      synchronized (this) {
        if (queued.isEmpty()) {
          writing = false;
          return;
        }
        batch = queued.toArray(new byte[0][]);
        queued.clear();
      }
      try {
        for (byte[] b : batch) {
          out.write(b);
        }
        out.flush();
      } catch (IOException e) {
        synchronized (this) {
          writing = false;
        }
        throw new UncheckedIOException(e);
      }
    }
  }
}
