package io.outpost.spool;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool's single writer: takes every queued op, runs the writes of a batch in one transaction
 * (one fsync for many appends — group commit), completes their futures only after the commit, then
 * serves the reads. Owns the connection, the statements and the ledger, so none of them needs a
 * lock.
 */
final class SpoolWriter implements Runnable {
  /**
   * Payload gathered at which a commit starts without waiting for the wear budget: with 64 KiB of
   * payload the pages a commit writes beyond its rows (about 7 KB: the partly filled last pages,
   * their parents) are a tenth of it, so holding it back would save little wear while its writers,
   * whose windows it holds, stop sending. Keeps window-bound streams from being capped at (messages
   * in flight) x (commits per second).
   */
  static final long FULL_BATCH_BYTES = 64 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(SpoolWriter.class);

  private final SpoolOptions options;
  private final SpoolStore store;
  private final SpoolLedger ledger;
  private final SpoolMetrics metrics;
  private final Clock clock;
  private final BlockingQueue<SpoolOp> queue;
  private final AtomicInteger queuedAppends;
  private final Runnable onAvailable;
  private final WriteBatch batch;
  private final ReadHandler reads;
  private final CommitPacer pacer;
  private final ThreadWrites diskWrites;
  private final CommitListener listener;
  private volatile boolean writable = true;
  private volatile String lastError;
  private long nextSweepAt;
  private CommitStart start = CommitStart.OTHER;

  SpoolWriter(
      SpoolOptions options,
      SpoolStore store,
      SpoolLedger ledger,
      SpoolMetrics metrics,
      Clock clock,
      BlockingQueue<SpoolOp> queue,
      AtomicInteger queuedAppends,
      long deadLetters,
      long highestSequence,
      Runnable onAvailable,
      CommitPacer pacer,
      CommitListener listener) {
    this.options = options;
    this.pacer = pacer;
    this.listener = listener;
    this.diskWrites = new ThreadWrites(pacer::now);
    this.store = store;
    this.ledger = ledger;
    this.metrics = metrics;
    this.clock = clock;
    this.queue = queue;
    this.queuedAppends = queuedAppends;
    this.onAvailable = onAvailable;
    this.batch =
        new WriteBatch(options, store, ledger, metrics, clock, deadLetters, highestSequence);
    this.reads = new ReadHandler(store, ledger, clock, queue);
    this.nextSweepAt = clock.millis() + options.ttlSweepInterval().toMillis();
  }

  boolean writable() {
    return writable;
  }

  String lastError() {
    return lastError;
  }

  long deadLetters() {
    return batch.deadLetters();
  }

  @Override
  public void run() {
    List<SpoolOp> ops = new ArrayList<>(options.commitBatchMax());
    SpoolOp.Stop stop = null;
    try {
      while (stop == null) {
        long wait = Math.max(1, nextSweepAt - clock.millis());
        SpoolOp first = queue.poll(wait, TimeUnit.MILLISECONDS);
        start = CommitStart.OTHER;
        if (first != null) {
          ops.add(first);
          queue.drainTo(ops, options.commitBatchMax() - 1);
          gather(ops);
        }
        if (clock.millis() >= nextSweepAt) {
          ops.add(new SpoolOp.Purge(List.of()));
          nextSweepAt = clock.millis() + options.ttlSweepInterval().toMillis();
        }
        stop = process(ops);
        ops.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.error("Spool writer interrupted; closing the spool", e);
    } catch (RuntimeException | Error e) {
      LOG.error("Spool writer failed; closing the spool", e);
      throw e;
    } finally {
      failRemaining(ops);
      closeStore(stop);
    }
  }

  /**
   * Gathers more writes while the wear budget ({@link CommitPacer}) holds the commit back, so a
   * stream of appends shares one WAL append and fsync instead of paying one each. Nothing waits
   * when the budget allows a commit now. Leases and releases that arrive meanwhile are served at
   * once against committed state (the drain keeps moving); a stop, another read, a prompt delete (a
   * backlog drains and waits for it), a full batch, {@link #FULL_BATCH_BYTES} of payload gathered,
   * or a pause in the stream (every writer is waiting for this commit) ends the wait at once.
   *
   * <p>A batch of deletes no one waits for (not prompt: the drain keeps sending while they wait,
   * and gathers the next acknowledgements meanwhile) waits for the budget's interval even alone and
   * through pauses: otherwise a draining backlog, whose next delete comes only after this one's
   * commit, would commit each small delete at once, hundreds of fsyncs a second that the drain's
   * own writer time pays for. A prompt delete arriving meanwhile ends the wait; an append commits
   * with them at once if it would have alone (the budget, or a lone writer waiting for each
   * commit), and otherwise brings back the rules above.
   */
  private void gather(List<SpoolOp> ops) throws InterruptedException {
    start = CommitStart.AT_ONCE;
    long now = pacer.now();
    boolean unwaitedDeletes = unwaitedDeletesOnly(ops, 0, true);
    // whether waiting pays is learned from appends alone: a drain's deletes interleave with a lone
    // device's appends without being writers that wait for this commit
    if (!pacer.mustWait(now, appends(ops)) && !(unwaitedDeletes && pacer.withinInterval(now))) {
      return;
    }
    start = CommitStart.OTHER;
    if (!serveEarlyReads(ops, 0) || ops.isEmpty()) {
      return; // without a wait, reads keep their place after the commit of the writes queued before
      // them
    }
    int found = appends(ops);
    boolean deletesWait = unwaitedDeletes;
    long payload = payloadBytes(ops, 0);
    try {
      long deadline = pacer.earliestStart();
      long lastArrival = pacer.now();
      while (ops.size() < options.commitBatchMax()) {
        if (payload >= FULL_BATCH_BYTES) {
          start = CommitStart.FULL;
          return;
        }
        long untilDeadline = deadline - pacer.now();
        long quiet = unwaitedDeletes ? untilDeadline : pacer.quietNanos();
        long remaining = Math.min(quiet, untilDeadline);
        SpoolOp next = remaining > 0 ? queue.poll(remaining, TimeUnit.NANOSECONDS) : null;
        if (next == null) {
          if (unwaitedDeletes && untilDeadline > 0) {
            continue; // woken before the interval's end by the clock: the deletes wait on
          }
          // a pause before the budget's interval ran out: every writer waits for this commit
          start = quiet < untilDeadline ? CommitStart.PAUSE : CommitStart.INTERVAL;
          return;
        }
        int from = ops.size();
        ops.add(next);
        queue.drainTo(ops, options.commitBatchMax() - ops.size());
        long arrival = pacer.now();
        if (!unwaitedDeletes) {
          pacer.arrived(arrival - lastArrival, ops.size() - from);
        } else {
          unwaitedDeletes = unwaitedDeletesOnly(ops, from, true);
          if (!unwaitedDeletes) {
            if (!pacer.mustWait(arrival, appends(ops))) {
              // an append joined deletes waiting for the budget: it commits when it would have
              // alone
              start = CommitStart.AT_ONCE;
              return;
            }
            deletesWait = false; // from here a wait for appends: fruitless if no more arrive
            found = appends(ops);
          }
        }
        lastArrival = arrival;
        payload += payloadBytes(ops, from);
        if (!serveEarlyReads(ops, from)) {
          return;
        }
      }
    } finally {
      if (!deletesWait) {
        // a wait that began for deletes alone says nothing about whether waiting gathers appends
        pacer.gathered(appends(ops) - found);
      }
    }
  }

  private static int appends(List<SpoolOp> ops) {
    int appends = 0;
    for (SpoolOp op : ops) {
      if (op instanceof SpoolOp.Append) {
        appends++;
      }
    }
    return appends;
  }

  /**
   * Whether {@code ops[from..]} (given {@code sofar} for the ops before) hold only deletes that no
   * one waits for, besides the leases and releases served meanwhile.
   */
  private static boolean unwaitedDeletesOnly(List<SpoolOp> ops, int from, boolean sofar) {
    boolean only = sofar;
    for (int i = from; i < ops.size() && only; i++) {
      SpoolOp op = ops.get(i);
      only =
          (op instanceof SpoolOp.Ack ack && !ack.prompt())
              || op instanceof SpoolOp.Lease
              || op instanceof SpoolOp.Release;
    }
    return only;
  }

  /** Payload bytes of the appends among {@code ops[from..]}. */
  private static long payloadBytes(List<SpoolOp> ops, int from) {
    long bytes = 0;
    for (int i = from; i < ops.size(); i++) {
      if (ops.get(i) instanceof SpoolOp.Append a) {
        bytes += a.entry().payload().length;
      }
    }
    return bytes;
  }

  /**
   * Serves the leases and releases among {@code ops[from..]} now and removes them; returns whether
   * the rest may keep gathering (only plain writes are left).
   */
  private boolean serveEarlyReads(List<SpoolOp> ops, int from) {
    boolean gather = true;
    for (int i = from; i < ops.size(); ) {
      SpoolOp op = ops.get(i);
      if (op instanceof SpoolOp.Lease || op instanceof SpoolOp.Release) {
        ops.remove(i);
        reads.handle((SpoolOp.Read) op);
        continue;
      }
      if (!(op instanceof SpoolOp.Write) || (op instanceof SpoolOp.Ack ack && ack.prompt())) {
        gather = false;
      }
      i++;
    }
    return gather;
  }

  /**
   * Serves the leases at the head of the batch, among deletes only, before the batch's commit: a
   * backlog's drain asks for its next messages while the previous ones' deletes are queued, and a
   * lease served after their commit (an fsync) left the link with nothing to send meanwhile. The
   * lease reads committed state and skips what is still leased, which the deleted messages are
   * until the commit, so it returns the same messages either way. A lease behind anything else (an
   * append, a release) keeps its place: it must see what was queued before it.
   */
  private static void serveLeasesAhead(List<SpoolOp> ops, ReadHandler reads) {
    for (int i = 0; i < ops.size(); ) {
      SpoolOp op = ops.get(i);
      if (op instanceof SpoolOp.Lease lease) {
        ops.remove(i);
        reads.handle(lease);
      } else if (op instanceof SpoolOp.Ack) {
        i++;
      } else {
        return;
      }
    }
  }

  /** Runs one batch; returns the stop op if it was in the batch. */
  private SpoolOp.Stop process(List<SpoolOp> ops) {
    serveLeasesAhead(ops, reads);
    List<SpoolOp.Read> readOps = new ArrayList<>();
    SpoolOp.Stop stop = null;
    batch.begin();
    for (SpoolOp op : ops) {
      if (op instanceof SpoolOp.Append) {
        queuedAppends.decrementAndGet();
      }
      if (op instanceof SpoolOp.Write write) {
        batch.add(write);
      } else if (op instanceof SpoolOp.Stop s) {
        stop = s;
      } else {
        readOps.add((SpoolOp.Read) op);
      }
    }
    if (!batch.isEmpty()) {
      commitBatch();
    }
    for (SpoolOp.Read read : readOps) {
      reads.handle(read);
    }
    return stop;
  }

  private void commitBatch() {
    long started = pacer.now();
    pacer.started(started);
    try {
      store.begin();
      batch.execute();
      store.commit();
      long finished = pacer.now();
      metrics.commit.record(finished - started, TimeUnit.NANOSECONDS);
      metrics.commitStarted(start);
      metrics.commitBatch.record(batch.size());
      metrics.commitMessages.record(batch.appended());
      metrics.appendedBytes.increment(batch.appendedBytes());
      diskWrites.sample(finished);
      if (!writable) {
        LOG.info("Spool is writable again");
      }
      writable = true;
      lastError = null;
      listener.committed(batch.size());
      boolean available = batch.committed();
      if (!batch.onlyInserts() || ledger.oldestReceivedAt() < 0) {
        // one query per priority: skipped when appends alone cannot have changed the answer
        ledger.oldestReceivedAt(store.oldestReceivedAt());
      }
      if (available) {
        notifyAvailable();
      }
    } catch (SQLException | RuntimeException e) {
      onCommitFailure(e);
    }
  }

  /**
   * Bytes this writer thread has written to disk so far (WAL, checkpoints); 0 where the OS does not
   * tell.
   */
  long bytesWritten() {
    return diskWrites.total();
  }

  private void onCommitFailure(Exception e) {
    boolean full = SpoolDatabase.isFull(e);
    (full ? metrics.diskFull : metrics.writeErrors).increment();
    lastError = (full ? "disk full: " : "write failed: ") + e.getMessage();
    if (writable) {
      LOG.error("Spool commit failed ({}); {} operation(s) not stored", lastError, batch.size(), e);
    }
    writable = false;
    try {
      store.recover();
      ledger.reset(store.totalsByRoute());
    } catch (SQLException rollbackFailure) {
      e.addSuppressed(rollbackFailure);
      LOG.error("Spool rollback after a failed commit also failed", rollbackFailure);
    }
    batch.failed(new SpoolUnavailableException("spool " + lastError, e));
  }

  private void notifyAvailable() {
    try {
      onAvailable.run();
    } catch (RuntimeException e) {
      LOG.error("Spool availability listener failed", e);
    }
  }

  private void failRemaining(List<SpoolOp> pending) {
    List<SpoolOp> rest = new ArrayList<>(pending);
    queue.drainTo(rest);
    SpoolUnavailableException closed = new SpoolUnavailableException("spool is closed");
    for (SpoolOp op : rest) {
      ReadHandler.fail(op, closed);
    }
  }

  private void closeStore(SpoolOp.Stop stop) {
    try {
      store.close();
      if (stop != null) {
        stop.future().complete(null);
      }
    } catch (SQLException e) {
      LOG.error("Closing the spool database failed", e);
      if (stop != null) {
        stop.future().completeExceptionally(e);
      }
    }
  }
}
