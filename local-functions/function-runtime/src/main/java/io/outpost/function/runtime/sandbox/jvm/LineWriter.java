package io.outpost.function.runtime.sandbox.jvm;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * Writes protocol lines to a pipe in batches without a thread of its own — the daemon's requests to
 * a child's stdin, and a child JVM's replies to its stdout: the caller that finds no write in
 * progress writes its line and every line queued meanwhile by others, then flushes once (one system
 * call for a burst of lines instead of one each); the others return at once. A caller never waits
 * for a line other than its own batch, and a failed write fails later callers at once.
 *
 * <p>{@link #writeNow} is for a thread that must not wait on the pipe (an event loop): its line is
 * taken only when the caller's check says the pipe has room for it and everything unread, and it
 * then writes (or leaves to the writer in progress) only lines taken that way; once a line of
 * {@link #write} is queued behind them, the rest goes on another thread.
 */
public final class LineWriter {

  private final OutputStream out;
  private final ArrayDeque<byte[]> queued = new ArrayDeque<>();
  private boolean writing;

  /** The writer in progress came through {@link #writeNow}: it must not wait on the pipe. */
  private boolean writerMustNotWait;

  /** A {@link #write} line was queued while such a writer wrote: the rest goes on its executor. */
  private boolean mayWaitQueued;

  /** {@link #close} came while a write was in progress: the writer closes the stream after it. */
  private boolean closeAfterWrite;

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
        mayWaitQueued |= writerMustNotWait;
        return; // the writing caller takes it with its next batch (or hands it on)
      }
      writing = true;
    }
    writeQueued();
  }

  /**
   * Writes {@code line} at once without waiting on the pipe: taken only when {@code fits} (asked
   * under this writer's lock, where no other write can start) says the pipe has room for it and all
   * it may still hold. With a write in progress the line is queued for that writer; else this
   * caller writes it and the lines other {@code writeNow} callers queue meanwhile, and hands the
   * rest to {@code rest} once a {@link #write} line is queued behind them.
   *
   * @return false, with nothing written or queued, when the line does not fit
   * @throws IOException when this or an earlier write to the stream failed
   */
  public boolean writeNow(byte[] line, Executor rest, BooleanSupplier fits) throws IOException {
    synchronized (this) {
      if (failed != null) {
        throw new IOException(failed.getMessage(), failed);
      }
      if (!fits.getAsBoolean()) {
        return false;
      }
      lines++;
      if (writing) {
        queued.addLast(line);
        return true;
      }
      writing = true;
      writerMustNotWait = true;
      queued.addLast(line);
    }
    while (true) {
      byte[][] batch;
      synchronized (this) {
        if (queued.isEmpty()) {
          endWrite();
          return true;
        }
        if (mayWaitQueued) {
          writerMustNotWait = false;
          mayWaitQueued = false;
          break;
        }
        batch = takeQueued();
      }
      writeBatch(batch);
    }
    try {
      rest.execute(this::writeQueuedQuietly);
    } catch (RejectedExecutionException e) {
      writeQueuedQuietly(); // shutting down: the lines still go
    }
    return true;
  }

  /** The writer's loop: batches of what is queued until nothing is. */
  private void writeQueued() throws IOException {
    while (true) {
      byte[][] batch;
      synchronized (this) {
        if (queued.isEmpty()) {
          endWrite();
          return;
        }
        batch = takeQueued();
      }
      writeBatch(batch);
    }
  }

  /** Takes what is queued as the next batch; call holding the lock. */
  private byte[][] takeQueued() {
    byte[][] batch = queued.toArray(new byte[0][]);
    queued.clear();
    batches++;
    return batch;
  }

  /** Writes a batch with one flush; a failure fails this writer for good. */
  private void writeBatch(byte[][] batch) throws IOException {
    try {
      for (byte[] b : batch) {
        out.write(b);
      }
      out.flush();
    } catch (IOException e) {
      fail(e);
      throw e;
    }
  }

  /**
   * {@link #writeQueued} for lines whose callers have returned: a failure fails later callers (the
   * reader of the other end sees the child's exit).
   */
  private void writeQueuedQuietly() {
    try {
      writeQueued();
    } catch (IOException e) {
      // recorded by fail(): the next caller gets it
    }
  }

  private synchronized void fail(IOException e) {
    failed = e;
    queued.clear();
    endWrite();
  }

  /** The writer is done; closes the stream if {@link #close} asked meanwhile. */
  private void endWrite() {
    writing = false;
    writerMustNotWait = false;
    mayWaitQueued = false;
    if (closeAfterWrite) {
      closeAfterWrite = false;
      try {
        out.close();
      } catch (IOException e) {
        // closing a pipe whose reader is gone: nothing is left to write
      }
    }
  }

  /**
   * Closes the stream, refusing later lines. A write in progress (it may be stuck on a pipe its
   * reader stopped reading) is not waited for: the writer closes the stream once it ends.
   *
   * @return true when closed now, false when left to the write in progress
   */
  public boolean close() throws IOException {
    synchronized (this) {
      if (failed == null) {
        failed = new IOException("stdin closed");
      }
      queued.clear();
      if (writing) {
        closeAfterWrite = true;
        return false;
      }
    }
    out.close();
    return true;
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
