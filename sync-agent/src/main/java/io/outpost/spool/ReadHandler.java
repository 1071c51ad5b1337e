package io.outpost.spool;

import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the writer's read ops (lease, release, dead-letter listing) against committed state. */
final class ReadHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ReadHandler.class);

  private final SpoolStore store;
  private final SpoolLedger ledger;
  private final Clock clock;
  private final Queue<SpoolOp> queue;

  ReadHandler(SpoolStore store, SpoolLedger ledger, Clock clock, Queue<SpoolOp> queue) {
    this.store = store;
    this.ledger = ledger;
    this.clock = clock;
    this.queue = queue;
  }

  void handle(SpoolOp.Read op) {
    try {
      if (op instanceof SpoolOp.Lease lease) {
        lease.future().complete(lease(lease.max()));
      } else if (op instanceof SpoolOp.Release release) {
        release.ids().forEach(ledger::unlease);
      } else if (op instanceof SpoolOp.ListDeadLetters list) {
        list.future().complete(store.deadLetters(list.limit()));
      } else if (op instanceof SpoolOp.PageDeadLetters page) {
        page.future().complete(store.deadLettersAfter(page.after(), page.limit()));
      }
    } catch (SQLException | RuntimeException e) {
      LOG.error("Spool read {} failed", op.getClass().getSimpleName(), e);
      fail(op, new SpoolUnavailableException("spool read failed: " + e.getMessage(), e));
    }
  }

  /**
   * Next messages in drain order that are not leased yet: one query in id order (ids sort by
   * priority, then arrival) that steps over the leased head of the queue without decoding it.
   * Expired messages are leased too (so they are not read again) and queued for deletion.
   */
  private List<SpooledMessage> lease(int max) throws SQLException {
    List<SpooledMessage> leased = new ArrayList<>(max);
    List<Long> expired = new ArrayList<>();
    long now = clock.millis();
    for (SpooledMessage message :
        store.drainOrder(ledger.leasedCount() + max, max, ledger::isLeased)) {
      long id = message.id();
      ledger.lease(id, message.entry().route(), message.storedBytes());
      long expiresAt = message.entry().expiresAtMillis();
      if (expiresAt > 0 && expiresAt <= now) {
        expired.add(id);
      } else {
        leased.add(message);
      }
    }
    if (!expired.isEmpty()) {
      queue.add(new SpoolOp.Purge(expired));
    }
    return leased;
  }

  static void fail(SpoolOp op, RuntimeException cause) {
    if (op instanceof SpoolOp.Append a) {
      a.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.Ack a) {
      a.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.Reject r) {
      r.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.Retry r) {
      r.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.Lease l) {
      l.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.ListDeadLetters l) {
      l.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.PageDeadLetters p) {
      p.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.DeleteDeadLetters d) {
      d.future().completeExceptionally(cause);
    } else if (op instanceof SpoolOp.Stop s) {
      s.future().completeExceptionally(cause);
    }
  }
}
