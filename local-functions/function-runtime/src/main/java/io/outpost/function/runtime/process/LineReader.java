package io.outpost.function.runtime.process;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a child's output into lines of at most {@code maxLineBytes}, reading whatever the pipe
 * holds in one call (a byte-at-a-time read costs a lock per byte) and handing each line over as a
 * slice of its buffer, so a JSON line is parsed without first becoming a String.
 */
final class LineReader {

  private static final int INITIAL_BYTES = 8_192;

  /** Receives each line, without its newline; the bytes are valid only during the call. */
  interface Sink {
    void line(byte[] bytes, int offset, int length) throws IOException;

    /**
     * Called before each read that may block, with whether everything read so far was delivered and
     * the stream had nothing more to read at that moment (only when the sink asks, see {@link
     * #tracksCaughtUp()}: it costs a system call per read).
     */
    default void waiting(boolean caughtUp) {}

    default boolean tracksCaughtUp() {
      return false;
    }
  }

  private final InputStream in;
  private final int maxLineBytes;
  private final boolean truncate;

  /**
   * @param maxLineBytes the longest line
   * @param truncate whether a longer line is cut to its first {@code maxLineBytes} (stderr) instead
   *     of failing the stream (stdout: the protocol is broken)
   */
  LineReader(InputStream in, int maxLineBytes, boolean truncate) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.truncate = truncate;
  }

  /**
   * Reads lines until the stream ends (a last line without newline is delivered too).
   *
   * @throws IOException from the stream, or when a line is too long and {@code truncate} is off
   */
  void pump(Sink sink) throws IOException {
    byte[] buf = new byte[Math.min(INITIAL_BYTES, maxLineBytes + 1)];
    int len = 0;
    boolean skipping = false; // the rest of a truncated line is dropped up to its newline
    while (true) {
      if (len == buf.length) {
        if (buf.length <= maxLineBytes) {
          buf = java.util.Arrays.copyOf(buf, (int) Math.min(buf.length * 2L, maxLineBytes + 1L));
        } else if (!truncate) {
          throw new IOException("protocol: stdout line longer than " + maxLineBytes + " bytes");
        } else {
          if (!skipping) {
            sink.line(buf, 0, maxLineBytes);
          }
          skipping = true;
          len = 0;
        }
      }
      if (sink.tracksCaughtUp()) {
        sink.waiting(len == 0 && in.available() == 0);
      }
      int n = in.read(buf, len, buf.length - len);
      if (n < 0) {
        if (len > 0 && !skipping) {
          sink.line(buf, 0, len);
        }
        return;
      }
      int from = 0;
      for (int i = len; i < len + n; i++) {
        if (buf[i] == '\n') {
          if (!skipping) {
            sink.line(buf, from, i - from);
          }
          skipping = false;
          from = i + 1;
        }
      }
      len += n;
      if (from > 0) {
        System.arraycopy(buf, from, buf, 0, len - from);
        len -= from;
      }
    }
  }
}
