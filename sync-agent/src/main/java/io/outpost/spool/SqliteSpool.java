package io.outpost.spool;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Spool} on SQLite (WAL, group commit on one writer thread named {@code
 * outpost-spool-writer}).
 *
 * <p>Ids encode the priority and a sequence allocated in append order from a persisted floor (see
 * {@code SpoolKeys}), so they are never reused — also not after the spool drained empty — and sort
 * in drain order. A fresh database starts its sequence from the clock, which keeps ids unique after
 * a corrupt file was moved aside. Ids stay below 2^52 (safe as JSON numbers).
 */
public final class SqliteSpool implements Spool {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteSpool.class);

  private final SpoolOptions options;
  private final Clock clock;
  private final SpoolLedger ledger = new SpoolLedger();
  private final BlockingQueue<SpoolOp> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedAppends = new AtomicInteger();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Object enqueueLock = new Object();
  private final SpoolMetrics metrics;
  private final SpoolWriter writer;
  private final Thread writerThread;
  private final Path quarantinedTo;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private long nextSequence;
  private boolean closed;

  private SqliteSpool(
      SpoolOptions options,
      MeterRegistry registry,
      Clock clock,
      LongSupplier ticker,
      CommitListener listener)
      throws SQLException, IOException {
    this.options = options;
    this.clock = clock;
    SpoolDatabase.Opened opened = SpoolDatabase.open(options, clock);
    this.quarantinedTo = opened.quarantinedTo();
    SpoolStore store;
    long deadLetters;
    long highest;
    try {
      store = new SpoolStore(opened.connection());
      ledger.reset(store.totalsByRoute());
      ledger.oldestReceivedAt(store.oldestReceivedAt());
      deadLetters = store.deadLetterCount();
      highest = store.highestSequence();
      nextSequence = highest >= 0 ? highest + 1 : SpoolKeys.freshSequence(clock.millis());
    } catch (SQLException | RuntimeException e) {
      opened.connection().close();
      throw e;
    }
    this.metrics =
        new SpoolMetrics(
            registry, ledger, queuedAppends::get, this::deadLetterCount, this::bytesWritten, clock);
    if (quarantinedTo != null) {
      metrics.corruptQuarantined.increment();
    }
    this.writer =
        new SpoolWriter(
            options,
            store,
            ledger,
            metrics,
            clock,
            queue,
            queuedAppends,
            deadLetters,
            highest,
            this::fireAvailable,
            new CommitPacer(options, ticker),
            listener);
    this.writerThread = new Thread(writer, "outpost-spool-writer");
    writerThread.start();
    LOG.info(
        "Spool open at {}: {} message(s), {} bytes, {} dead letter(s)",
        options.databaseFile(),
        ledger.depth(),
        ledger.bytes(),
        deadLetters);
  }

  /**
   * Opens (creating or migrating) the spool in {@code options.dir()} and starts its writer thread.
   *
   * @throws SpoolUnavailableException if the database cannot be opened (a corrupt file is moved
   *     aside instead)
   */
  public static SqliteSpool open(SpoolOptions options, MeterRegistry registry, Clock clock) {
    return open(options, registry, clock, System::nanoTime, CommitListener.NONE);
  }

  /**
   * As {@link #open(SpoolOptions, MeterRegistry, Clock)}, with the pacing ticker and a commit
   * observer given.
   */
  static SqliteSpool open(
      SpoolOptions options,
      MeterRegistry registry,
      Clock clock,
      LongSupplier ticker,
      CommitListener listener) {
    Objects.requireNonNull(options, "options");
    try {
      return new SqliteSpool(options, registry, clock, ticker, listener);
    } catch (SQLException | IOException e) {
      throw new SpoolUnavailableException(
          "cannot open spool " + options.databaseFile() + ": " + e.getMessage(), e);
    }
  }

  private long bytesWritten() {
    SpoolWriter w = writer;
    return w == null ? 0 : w.bytesWritten();
  }

  /** Where a corrupt database was moved at open, or {@code null}. */
  public Path quarantinedTo() {
    return quarantinedTo;
  }

  @Override
  public CompletableFuture<Long> append(SpoolEntry entry) {
    Objects.requireNonNull(entry, "entry");
    CompletableFuture<Long> future = new CompletableFuture<>();
    boolean durable = entry.qos() > 0 || options.spoolQos0();
    synchronized (enqueueLock) {
      if (closed) {
        return CompletableFuture.failedFuture(new SpoolUnavailableException("spool is closed"));
      }
      if (queuedAppends.incrementAndGet() > options.queueMax()) {
        queuedAppends.decrementAndGet();
        metrics.queueFull.increment();
        return CompletableFuture.failedFuture(
            new SpoolUnavailableException(
                "spool writer queue full (" + options.queueMax() + " appends waiting)"));
      }
      long id = SpoolKeys.id(entry.priority(), nextSequence++);
      queue.add(new SpoolOp.Append(id, entry, future, durable));
      if (!durable) {
        future.complete(id);
      }
    }
    return future;
  }

  @Override
  public CompletableFuture<List<SpooledMessage>> lease(int max) {
    if (max <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    CompletableFuture<List<SpooledMessage>> future = new CompletableFuture<>();
    return submit(new SpoolOp.Lease(max, future), future);
  }

  @Override
  public CompletableFuture<Void> acknowledge(Collection<Long> ids) {
    return acknowledge(ids, false);
  }

  @Override
  public CompletableFuture<Void> acknowledge(Collection<Long> ids, boolean prompt) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    return submit(new SpoolOp.Ack(List.copyOf(ids), future, prompt), future);
  }

  @Override
  public void release(Collection<Long> ids) {
    if (!ids.isEmpty()) {
      submit(new SpoolOp.Release(List.copyOf(ids)), null);
    }
  }

  @Override
  public CompletableFuture<Void> deadLetter(Collection<Long> ids, String reason) {
    CompletableFuture<Void> future = new CompletableFuture<>();
    return submit(
        new SpoolOp.Reject(List.copyOf(ids), Objects.requireNonNull(reason, "reason"), future),
        future);
  }

  @Override
  public CompletableFuture<List<DeadLetter>> deadLetters(int limit) {
    CompletableFuture<List<DeadLetter>> future = new CompletableFuture<>();
    return submit(new SpoolOp.ListDeadLetters(Math.max(0, limit), future), future);
  }

  @Override
  public CompletableFuture<List<DeadLetter>> deadLettersAfter(DeadLetter after, int limit) {
    CompletableFuture<List<DeadLetter>> future = new CompletableFuture<>();
    return submit(new SpoolOp.PageDeadLetters(after, Math.max(0, limit), future), future);
  }

  @Override
  public CompletableFuture<Boolean> retryDeadLetter(long id) {
    CompletableFuture<Boolean> future = new CompletableFuture<>();
    return submit(new SpoolOp.Retry(id, future), future);
  }

  @Override
  public CompletableFuture<Integer> deleteDeadLetters(Collection<Long> ids) {
    CompletableFuture<Integer> future = new CompletableFuture<>();
    return submit(new SpoolOp.DeleteDeadLetters(List.copyOf(ids), false, future), future);
  }

  @Override
  public CompletableFuture<Integer> purgeDeadLetters() {
    CompletableFuture<Integer> future = new CompletableFuture<>();
    return submit(new SpoolOp.DeleteDeadLetters(List.of(), true, future), future);
  }

  private <T> CompletableFuture<T> submit(SpoolOp op, CompletableFuture<T> future) {
    synchronized (enqueueLock) {
      if (closed) {
        SpoolUnavailableException e = new SpoolUnavailableException("spool is closed");
        return future == null ? CompletableFuture.failedFuture(e) : failed(future, e);
      }
      queue.add(op);
    }
    return future;
  }

  private static <T> CompletableFuture<T> failed(CompletableFuture<T> future, RuntimeException e) {
    future.completeExceptionally(e);
    return future;
  }

  @Override
  public void onAvailable(Runnable listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeOnAvailable(Runnable listener) {
    listeners.remove(listener);
  }

  private void fireAvailable() {
    for (Runnable listener : listeners) {
      listener.run();
    }
  }

  private long deadLetterCount() {
    return writer.deadLetters();
  }

  @Override
  public SpoolStats stats() {
    long oldest = ledger.oldestReceivedAt();
    Duration age =
        oldest < 0 ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - oldest));
    return new SpoolStats(
        ledger.depth(),
        ledger.bytes(),
        options.maxBytes(),
        age,
        ledger.leasedCount(),
        queuedAppends.get(),
        metrics.droppedSnapshot(),
        writer.deadLetters(),
        ledger.depthByRoute(),
        writer.writable(),
        writer.lastError());
  }

  /**
   * Finishes queued work, closes the database and joins the writer thread. Appends arriving
   * afterwards fail with {@link SpoolUnavailableException}. Idempotent.
   */
  @Override
  public void close() {
    synchronized (enqueueLock) {
      if (!closed) {
        closed = true;
        queue.add(new SpoolOp.Stop(stopped));
      }
    }
    try {
      writerThread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("Interrupted while waiting for the spool writer to finish");
      return;
    }
    metrics.close();
  }
}
