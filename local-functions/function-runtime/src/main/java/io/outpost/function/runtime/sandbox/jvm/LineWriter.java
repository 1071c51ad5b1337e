package io.outpost.function.runtime.sandbox.jvm;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;

/**
 * Writes protocol lines to a pipe in batches without a thread of its own — the daemon's requests to
 * a child's stdin, and a child JVM's replies to its stdout: the caller that finds no write in
 * progress writes its line and every line queued meanwhile by others, then flushes once (one system
 * call for a burst of lines instead of one each); the others return at once. A caller never waits
 * for a line other than its own batch, and a failed write fails later callers at once.
 */
public final class LineWriter {

  private final OutputStream out;
  private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
  private boolean writing;
  private IOException failed;
  private long batches;
  private long lines;

  public LineWriter(OutputStream out) {
    this.out = out;
  }

  /**
   * Queues {@code line} (with its newline) and, unless another caller is writing, writes and
   * flushes everything queued.
   *
   * @throws IOException when this or an earlier write to the stream failed
   */
  public void write(byte[] line) throws IOException {
    synchronized (this) {
      if (failed != null) {
        throw new IOException(failed.getMessage(), failed);
      }
      queued.addLast(line);
      lines++;
      if (writing) {
        return; // the writing caller takes it with its next batch
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
        batches++;
      }
      try {
        for (byte[] b : batch) {
          out.write(b);
        }
        out.flush();
      } catch (IOException e) {
        synchronized (this) {
          failed = e;
          writing = false;
          queued.clear();
        }
        throw e;
      }
    }
  }

  /** Closes the stream; a write in progress fails. */
  public void close() throws IOException {
    synchronized (this) {
      if (failed == null) {
        failed = new IOException("stdin closed");
      }
      queued.clear();
    }
    out.close();
  }

  /** Flushes made so far; with {@link #lines()}, how well requests were batched. */
  public synchronized long batches() {
    return batches;
  }

  /** Lines written (or queued) so far. */
  public synchronized long lines() {
    return lines;
  }
}
