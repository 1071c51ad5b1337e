package io.outpost.function.runtime.sandbox.jvm;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A child JVM's stdin as request lines, pulled one at a time by whichever worker thread reads next
 * (the caller holds the read lock; this class is not thread-safe). It reads whatever the pipe holds
 * in one call, so a burst of requests costs one {@code read(2)}, and hands each line out as bytes
 * (parsed without first becoming a String). The end of the stream is sticky: every later call
 * returns null too.
 */
final class RequestLines {

  private static final int INITIAL_BYTES = 16_384;

  private final InputStream in;
  private byte[] buf = new byte[INITIAL_BYTES];
  private int start;
  private int end;
  private int scanned;
  private boolean ended;

  RequestLines(InputStream in) {
    this.in = in;
  }

  /**
   * The next line without its newline (a copy the caller keeps), a last line without newline at the
   * end of the stream, or null once the stream ended.
   */
  byte[] next() throws IOException {
    while (true) {
      for (int i = scanned; i < end; i++) {
        if (buf[i] == '\n') {
          byte[] line = Arrays.copyOfRange(buf, start, i);
          start = i + 1;
          scanned = start;
          return line;
        }
      }
      scanned = end;
      if (ended) {
        return rest();
      }
      makeRoom();
      int n = in.read(buf, end, buf.length - end);
      if (n < 0) {
        ended = true;
      } else {
        end += n;
      }
    }
  }

  private byte[] rest() {
    if (start == end) {
      return null;
    }
    byte[] line = Arrays.copyOfRange(buf, start, end);
    start = end;
    scanned = end;
    return line;
  }

  /** Moves the unread part to the front, or grows the buffer when a line fills it. */
  private void makeRoom() {
    if (end < buf.length) {
      return;
    }
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      scanned -= start;
      start = 0;
    } else {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
  }
}
