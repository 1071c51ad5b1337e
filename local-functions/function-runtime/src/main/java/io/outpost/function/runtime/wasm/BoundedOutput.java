package io.outpost.function.runtime.wasm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A module's stdout or stderr, kept in memory up to a bound; writing past it fails the module's
 * write. A warm instance keeps its pair across invocations ({@link #reset}).
 */
final class BoundedOutput extends OutputStream {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private int maxBytes;
  private final String name;

  BoundedOutput(String name, int maxBytes) {
    this.name = name;
    this.maxBytes = maxBytes;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (bytes.size() + len > maxBytes) {
      throw new IOException(
          name + " is longer than functions.maxProcessLineBytes (" + maxBytes + " bytes)");
    }
    bytes.write(b, off, len);
  }

  /** Empties it for the next invocation of a warm instance, with the bound then in force. */
  void reset(int nextMaxBytes) {
    bytes.reset();
    maxBytes = nextMaxBytes;
  }

  String text() {
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
