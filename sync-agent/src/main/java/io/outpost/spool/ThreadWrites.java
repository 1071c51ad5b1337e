package io.outpost.spool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes the calling thread caused to be written to storage, from Linux's per-thread I/O accounting
 * ({@code /proc/thread-self/io}, {@code write_bytes}). The spool writer samples it after commits —
 * it writes the WAL and runs the checkpoints, so this is the spool's flash wear — at most every
 * {@value #SAMPLE_EVERY_MILLIS} ms. Elsewhere (no procfs, or a kernel without task I/O accounting)
 * the total stays 0.
 */
final class ThreadWrites {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadWrites.class);
  static final long SAMPLE_EVERY_MILLIS = 100;
  private static final Path SELF = Path.of("/proc/thread-self/io");
  private static final String KEY = "write_bytes:";

  private volatile long total;
  private long nextSample;
  private boolean unavailable;

  ThreadWrites(LongSupplier ticker) {
    this.nextSample = ticker.getAsLong();
  }

  /** Reads the counter if the last reading is old enough; call on the thread to account. */
  void sample(long now) {
    if (unavailable || now - nextSample < 0) {
      return;
    }
    nextSample = now + TimeUnit.MILLISECONDS.toNanos(SAMPLE_EVERY_MILLIS);
    try {
      for (String line : Files.readAllLines(SELF)) {
        if (line.startsWith(KEY)) {
          total = Long.parseLong(line.substring(KEY.length()).trim());
          return;
        }
      }
      unavailable = true;
    } catch (IOException | NumberFormatException e) {
      unavailable = true;
      LOG.debug("No per-thread I/O accounting here; outpost.spool.written stays 0", e);
    }
  }

  long total() {
    return total;
  }
}
