package io.outpost.function.runtime.sandbox.jvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serves a child JVM's requests on its {@code maxConcurrency} handler threads by leader/follower:
 * the threads take turns reading stdin under a lock, and the one that read a request runs it itself
 * once it let the next reader in. No thread hands a request to another, so a request costs one
 * thread wake-up in the child (the reader's, when the line arrives) instead of two (reader, then a
 * pool worker), and a burst of lines read in one call is shared out without more reads.
 *
 * <p>With several threads, one more than {@code maxConcurrency} take turns: while all slots run a
 * handler, the spare one still reads, and a request beyond them (a daemon bug) is answered with an
 * error at once instead of waiting unseen in the pipe. A slot is taken under the read lock, so the
 * requests beyond are the last ones read, and given back before the result is written, so the
 * daemon never sees a result before the slot is free again. With one thread the calling thread
 * reads and runs every request (the daemon sends the next only after this one's result). A
 * handler's interrupt is its own: it is cleared before the thread reads or runs the next request.
 */
final class RequestLoop {

  /** Runs one request; returns its encoded result line, to be written once its slot is free. */
  @FunctionalInterface
  interface Runner {
    byte[] run(ChildRequest request);
  }

  /** Decodes a request line. */
  @FunctionalInterface
  interface Decoder {
    ChildRequest decode(byte[] line) throws IOException;
  }

  /**
   * Exit code when a request line cannot be decoded (the protocol is broken): {@code EX_DATAERR}.
   */
  static final int EXIT_PROTOCOL = 65;

  /** Exit code when a handler thread ended by an error outside its handler. */
  static final int EXIT_SOFTWARE = 70;

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final RequestLines lines;
  private final Decoder decoder;
  private final Runner runner;
  private final ReplyWriter replies;
  private final int maxConcurrency;
  private final String threadPrefix;
  private final ReentrantLock reading = new ReentrantLock();
  private final Semaphore slots;
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile int exitCode;

  /**
   * @param threadPrefix handler threads are named {@code <threadPrefix>-<n>}
   */
  RequestLoop(
      RequestLines lines,
      Decoder decoder,
      Runner runner,
      ReplyWriter replies,
      int maxConcurrency,
      String threadPrefix) {
    this.lines = lines;
    this.decoder = decoder;
    this.runner = runner;
    this.replies = replies;
    this.maxConcurrency = Math.max(1, maxConcurrency);
    this.threadPrefix = threadPrefix;
    this.slots = this.maxConcurrency > 1 ? new Semaphore(this.maxConcurrency) : null;
  }

  /**
   * Serves requests until stdin ends (handlers still running are abandoned with the JVM: the
   * threads are daemon threads) or the protocol breaks.
   *
   * @return the exit code for the JVM: 0, {@link #EXIT_PROTOCOL} or {@link #EXIT_SOFTWARE}
   */
  int serve() throws InterruptedException {
    if (slots == null) {
      Thread.currentThread().setName(threadPrefix + "-" + THREADS.incrementAndGet());
      loop();
      return exitCode;
    }
    for (int i = 0; i <= maxConcurrency; i++) {
      Thread t = new Thread(this::loop, threadPrefix + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      t.setUncaughtExceptionHandler(this::died);
      t.start();
    }
    ended.await();
    return exitCode;
  }

  /** One thread's turns: read while leading, then run what it read. */
  private void loop() {
    try {
      while (true) {
        Thread.interrupted(); // a handler's interrupt must not reach the next request
        byte[] line;
        boolean slot;
        reading.lock();
        try {
          line = lines.next();
          if (line == null) {
            ended.countDown();
            return;
          }
          if (isBlank(line)) {
            continue;
          }
          slot = slots == null || slots.tryAcquire();
        } finally {
          reading.unlock();
        }
        if (!run(line, slot)) {
          return;
        }
      }
    } catch (IOException e) {
      System.err.println("stdin failed: " + e.getMessage());
      ended.countDown();
    } catch (UncheckedIOException e) {
      // stdout is gone: the daemon stopped reading and ends this JVM
      ended.countDown();
    }
  }

  /**
   * Decodes and runs one request line (or refuses it without a slot), then writes its result.
   *
   * @return false when the line is not a request: the protocol is broken and the JVM exits
   */
  private boolean run(byte[] line, boolean slot) {
    ChildRequest request;
    try {
      request = decoder.decode(line);
    } catch (IOException | RuntimeException e) {
      if (slot && slots != null) {
        slots.release();
      }
      // the parser's own text would name its classes: say what is wrong in the protocol's terms
      System.err.println(
          "protocol: a request line is not a valid request object; exiting ("
              + line.length
              + " bytes)");
      exitCode = EXIT_PROTOCOL;
      ended.countDown();
      return false;
    }
    if (!slot) {
      replies.send(
          replies.error(
              request.id(),
              "more than " + maxConcurrency + " invocations in flight (maxConcurrency)"));
      return true;
    }
    byte[] result;
    try {
      result = runner.run(request);
    } finally {
      if (slots != null) {
        slots.release();
      }
    }
    replies.send(result);
    return true;
  }

  /**
   * A thread ended by an error outside any handler (a failure of the JVM itself): the JVM exits
   * rather than serve on with fewer threads than its slots.
   */
  private void died(Thread thread, Throwable e) {
    System.err.println(thread.getName() + " ended: " + e);
    exitCode = EXIT_SOFTWARE;
    ended.countDown();
  }

  private static boolean isBlank(byte[] line) {
    for (byte b : line) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }
}
