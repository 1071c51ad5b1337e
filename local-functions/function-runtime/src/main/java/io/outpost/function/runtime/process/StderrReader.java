package io.outpost.function.runtime.process;

import io.outpost.function.FunctionLogger;
import io.outpost.function.runtime.sandbox.OutOfMemorySigns;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Reads a child's stderr on its own named thread: each line (cut at the line limit) goes to the
 * log; the last non-blank line and whether one reported a failed allocation are kept for when the
 * child has ended.
 *
 * <p>Each line is attributed when this thread reads it, not when the child wrote it: a line written
 * just before a result may be read after the next request was sent and land under that one ({@link
 * #awaitCaughtUp} narrows this window, it does not close it). Output that must stay with its
 * invocation goes through the protocol's {@code log} lines on stdout.
 */
final class StderrReader implements LineReader.Sink {

  private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

  private final InputStream in;
  private final int maxLineBytes;
  private final Consumer<String> lines;
  private final FunctionLogger log;
  private final long pid;
  private final Thread thread;

  /**
   * False from a line being delivered until the reader is about to block with nothing left to read.
   * True while it is blocked in read(), including after the child wrote more and before this thread
   * wakes up to read it.
   */
  private volatile boolean caughtUp = true;

  private volatile String last;
  private volatile boolean saidOutOfMemory;

  StderrReader(
      InputStream in,
      int maxLineBytes,
      String threadName,
      long pid,
      FunctionLogger log,
      Consumer<String> lines) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
    this.lines = lines;
    this.log = log;
    this.pid = pid;
    this.thread = new Thread(this::run, threadName);
  }

  void start() {
    thread.start();
  }

  private void run() {
    try (InputStream stream = in) {
      new LineReader(stream, maxLineBytes, true).pump(this);
    } catch (IOException e) {
      log.debug("stderr of pid {} closed: {}", pid, e.toString());
    } finally {
      caughtUp = true;
    }
  }

  @Override
  public void line(byte[] bytes, int offset, int length) {
    caughtUp = false;
    String line = new String(bytes, offset, length, StandardCharsets.UTF_8);
    lines.accept(line);
    if (!line.isBlank()) {
      last = line.strip();
    }
    if (!saidOutOfMemory && OutOfMemorySigns.in(line)) {
      saidOutOfMemory = true;
    }
  }

  @Override
  public void waiting(boolean nothingLeft) {
    caughtUp = nothingLeft;
  }

  @Override
  public boolean tracksCaughtUp() {
    return true;
  }

  /**
   * Best effort, bounded: waits (at most {@code maxMillis}) until the reader has logged everything
   * it had read, and found nothing more in the pipe, when it last looked. It does not wait for
   * bytes that reached the pipe while the reader was blocked and not yet woken: then it returns at
   * once, and the lines a one-at-a-time child wrote just before its result are usually, not surely,
   * in the log under that invocation when the result is reported (see the class comment). Returns
   * at once when the reader is idle: a child that does not write to stderr costs nothing here.
   * (Asking the stream how much it holds from this thread would wait for the reader's lock while it
   * blocks, and waiting for the reader to look again would cost every invocation of a child that
   * wrote nothing the whole bound.)
   */
  void awaitCaughtUp(long maxMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    while (!caughtUp && System.nanoTime() < deadline) {
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.currentThread().isInterrupted()) {
        return;
      }
    }
  }

  /** Waits (bounded) until the child's stderr has been read to its end. */
  void join(long millis) throws InterruptedException {
    if (Thread.currentThread() != thread) {
      thread.join(millis);
    }
  }

  /** The last non-blank line read. */
  String last() {
    return last;
  }

  boolean saidOutOfMemory() {
    return saidOutOfMemory;
  }
}
