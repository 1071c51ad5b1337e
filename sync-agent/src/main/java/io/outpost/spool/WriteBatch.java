package io.outpost.spool;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes of one group commit. {@link #execute} applies them inside the open transaction and
 * updates the ledger as it goes (eviction needs the running total); {@link #committed} completes
 * futures and counts drops once the commit succeeded; {@link #failed} fails the futures after a
 * rollback (the writer then rebuilds the ledger from disk).
 */
final class WriteBatch {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBatch.class);
  private static final int EVICT_CHUNK = 256;
  private static final int SWEEP_CHUNK = 1000;

  private final SpoolOptions options;
  private final SpoolStore store;
  private final SpoolLedger ledger;
  private final SpoolMetrics metrics;
  private final Clock clock;
  private final List<SpoolOp.Write> writes = new ArrayList<>();
  private final List<Long> unleaseAfterCommit = new ArrayList<>();
  private final List<Runnable> afterCommit = new ArrayList<>();
  private long deadLetters;
  private long pendingDeadLetters;
  private final long[] drops = new long[DropReason.values().length];
  private boolean available;
  private boolean evicted;
  private boolean onlyInserts;

  /** Highest sequence inserted by committed batches (or found at open); -1 for a new database. */
  private long highestInserted;

  private long pendingHighest;
  private int appended;
  private long appendedBytes;
  private int refused;

  WriteBatch(
      SpoolOptions options,
      SpoolStore store,
      SpoolLedger ledger,
      SpoolMetrics metrics,
      Clock clock,
      long deadLetters,
      long highestInserted) {
    this.highestInserted = highestInserted;
    this.pendingHighest = highestInserted;
    this.options = options;
    this.store = store;
    this.ledger = ledger;
    this.metrics = metrics;
    this.clock = clock;
    this.deadLetters = deadLetters;
  }

  void begin() {
    writes.clear();
    unleaseAfterCommit.clear();
    afterCommit.clear();
    Arrays.fill(drops, 0);
    pendingDeadLetters = 0;
    available = false;
    evicted = false;
    appended = 0;
    appendedBytes = 0;
    refused = 0;
  }

  void add(SpoolOp.Write write) {
    writes.add(write);
  }

  boolean isEmpty() {
    return writes.isEmpty();
  }

  int size() {
    return writes.size();
  }

  /** Messages this batch inserted (valid after {@link #execute}). */
  int appended() {
    return appended;
  }

  /** Payload bytes of the messages this batch inserted (valid after {@link #execute}). */
  long appendedBytes() {
    return appendedBytes;
  }

  long deadLetters() {
    return deadLetters;
  }

  /**
   * Whether this batch only inserted new messages (valid after {@link #execute}): the oldest stored
   * message is then still the one it was, unless the spool was empty.
   */
  boolean onlyInserts() {
    return onlyInserts;
  }

  void execute() throws SQLException {
    long batchHighest = highestInserted;
    boolean deletes = false;
    for (SpoolOp.Write write : writes) {
      deletes |= !(write instanceof SpoolOp.Append);
      if (write instanceof SpoolOp.Append append) {
        if (append(append)) {
          batchHighest = Math.max(batchHighest, SpoolKeys.sequence(append.id()));
        }
      } else if (write instanceof SpoolOp.Ack ack) {
        for (long id : ack.ids()) {
          deleteDelivered(id);
        }
        afterCommit.add(() -> ack.future().complete(null));
      } else if (write instanceof SpoolOp.Reject reject) {
        deadLetter(reject);
      } else if (write instanceof SpoolOp.Retry retry) {
        boolean moved = store.moveFromDeadLetter(retry.id());
        if (moved) {
          SpoolStore.RowRef ref = store.ref(retry.id());
          ledger.added(ref.route(), ref.size());
          pendingDeadLetters--;
          available = true;
        }
        afterCommit.add(() -> retry.future().complete(moved));
      } else if (write instanceof SpoolOp.Purge purge) {
        purge(purge);
      } else if (write instanceof SpoolOp.DeleteDeadLetters delete) {
        int deleted =
            delete.all() ? store.deleteAllDeadLetters() : store.deleteDeadLetters(delete.ids());
        pendingDeadLetters -= deleted;
        afterCommit.add(
            () -> {
              LOG.info("{} dead letter(s) deleted by the operator", deleted);
              delete.future().complete(deleted);
            });
      }
    }
    // Ids must never be reused, also once the newest row is gone: persist the floor whenever rows
    // may be deleted
    // (evictions happen in append-only batches too). Pure ingest batches skip it: one page less per
    // commit.
    deletes |= evicted;
    onlyInserts = !deletes;
    if (deletes && batchHighest >= 0) {
      store.setIdFloor(batchHighest);
    }
    pendingHighest = batchHighest;
    trimDeadLetters();
  }

  /** Inserts one message (evicting for room when allowed); false when it was refused. */
  private boolean append(SpoolOp.Append append) throws SQLException {
    SpoolEntry entry = append.entry();
    byte[] props = PropertiesCodec.encode(entry.userProperties());
    int size = SpoolStore.sizeOf(entry, props);
    if (ledger.bytes() + size > options.maxBytes() && !makeRoom(entry.priority(), size)) {
      drops[DropReason.OVERFLOW.ordinal()]++;
      refused++;
      SpoolFullException full =
          new SpoolFullException(
              "spool is full ("
                  + ledger.bytes()
                  + " of "
                  + options.maxBytes()
                  + " bytes, policy "
                  + options.overflowPolicy().key()
                  + ")");
      if (append.durable()) {
        afterCommit.add(() -> append.future().completeExceptionally(full));
      }
      return false;
    }
    store.insert(append.id(), entry, props, size);
    ledger.added(entry.route(), size);
    available = true;
    appended++;
    appendedBytes += entry.payload().length;
    if (append.durable()) {
      afterCommit.add(() -> append.future().complete(append.id()));
    }
    return true;
  }

  /**
   * Evicts the oldest messages with a priority not above {@code priority}; true if {@code size} now
   * fits.
   */
  private boolean makeRoom(int priority, int size) throws SQLException {
    if (options.overflowPolicy() != OverflowPolicy.DROP_OLDEST || size > options.maxBytes()) {
      return false;
    }
    while (ledger.bytes() + size > options.maxBytes()) {
      Integer lowest = store.minPriority();
      if (lowest == null || lowest > priority) {
        return false;
      }
      List<SpoolStore.RowRef> victims = store.oldestOfPriority(lowest, EVICT_CHUNK);
      boolean freed = false;
      for (SpoolStore.RowRef victim : victims) {
        if (ledger.bytes() + size <= options.maxBytes()) {
          break;
        }
        freed |= remove(victim, DropReason.OVERFLOW);
      }
      if (!freed) {
        return false;
      }
    }
    return true;
  }

  private boolean remove(SpoolStore.RowRef ref, DropReason reason) throws SQLException {
    if (!store.delete(ref.id())) {
      return false;
    }
    ledger.removed(ref.route(), ref.size());
    unleaseAfterCommit.add(ref.id());
    drops[reason.ordinal()]++;
    evicted = true;
    return true;
  }

  private void deleteDelivered(long id) throws SQLException {
    // the lease already knows route and size: one statement per delivered message instead of two
    SpoolLedger.Lease lease = ledger.leaseOf(id);
    if (lease != null) {
      if (store.delete(id)) {
        ledger.removed(lease.route(), lease.size());
      }
    } else {
      SpoolStore.RowRef ref = store.ref(id);
      if (ref != null && store.delete(id)) {
        ledger.removed(ref.route(), ref.size());
      }
    }
    unleaseAfterCommit.add(id);
  }

  private void deadLetter(SpoolOp.Reject reject) throws SQLException {
    long now = clock.millis();
    for (long id : reject.ids()) {
      SpoolStore.RowRef ref = store.ref(id);
      if (ref != null && store.moveToDeadLetter(id, reject.reason(), now)) {
        ledger.removed(ref.route(), ref.size());
        drops[DropReason.ofDeadLetter(reject.reason()).ordinal()]++;
        pendingDeadLetters++;
        LOG.warn(
            "Message {} on route {} moved to the dead-letter table: {}",
            id,
            ref.route(),
            reject.reason());
      }
      unleaseAfterCommit.add(id);
    }
    afterCommit.add(() -> reject.future().complete(null));
  }

  private void purge(SpoolOp.Purge purge) throws SQLException {
    if (!purge.ids().isEmpty()) {
      for (long id : purge.ids()) {
        SpoolStore.RowRef ref = store.ref(id);
        if (ref == null || !remove(ref, DropReason.TTL)) {
          unleaseAfterCommit.add(id);
        }
      }
      return;
    }
    store.collectNames();
    List<SpoolStore.RowRef> expired;
    do {
      expired = store.expired(clock.millis(), SWEEP_CHUNK);
      for (SpoolStore.RowRef ref : expired) {
        remove(ref, DropReason.TTL);
      }
    } while (expired.size() == SWEEP_CHUNK);
  }

  private void trimDeadLetters() throws SQLException {
    long excess = deadLetters + pendingDeadLetters - options.deadLetterMax();
    if (excess > 0) {
      int trimmed = store.trimDeadLetters((int) Math.min(Integer.MAX_VALUE, excess));
      pendingDeadLetters -= trimmed;
      drops[DropReason.DEAD_LETTER_OVERFLOW.ordinal()] += trimmed;
    }
  }

  /** After a successful commit; returns whether new messages became leasable. */
  boolean committed() {
    highestInserted = pendingHighest;
    deadLetters += pendingDeadLetters;
    for (long id : unleaseAfterCommit) {
      ledger.unlease(id);
    }
    for (DropReason reason : DropReason.values()) {
      metrics.dropped(reason, drops[reason.ordinal()]);
    }
    metrics.appended.increment(appended);
    afterCommit.forEach(Runnable::run);
    return available;
  }

  /** After a rollback: nothing of this batch is stored. */
  void failed(SpoolUnavailableException cause) {
    // refused appends stay refused (counted as overflow), now reported as unavailable
    metrics.dropped(DropReason.OVERFLOW, refused);
    for (SpoolOp.Write write : writes) {
      if (write instanceof SpoolOp.Append append && !append.durable()) {
        LOG.warn("Best-effort QoS 0 message {} lost: {}", append.id(), cause.getMessage());
      }
      ReadHandler.fail(write, cause);
    }
  }
}
