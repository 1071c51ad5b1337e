package io.outpost.broker.internal.session;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.QueueOverflowPolicy;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import java.time.Clock;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * What every session shares: queue bounds, storage, metrics and the clock. The queue bounds can
 * change while the broker runs ({@link #queueLimits(int, QueueOverflowPolicy)}); every session sees
 * the change at its next message.
 */
public final class SessionSettings {

  /** The two queue bounds, swapped together so no session sees one new and one old. */
  private record QueueLimits(int maxQueuedMessages, QueueOverflowPolicy overflow) {}

  private final SessionPersistence persistence;
  private final BrokerMetrics metrics;
  private final Clock clock;
  private volatile QueueLimits limits;
  private volatile BiConsumer<BrokerMessage, BooleanSupplier> backlogListener = (m, behind) -> {};

  /**
   * @param maxQueuedMessages queue bound per session
   * @param overflow what to drop when the queue is full
   * @param persistence durable storage
   * @param metrics meters
   * @param clock time source (injected for tests)
   */
  public SessionSettings(
      int maxQueuedMessages,
      QueueOverflowPolicy overflow,
      SessionPersistence persistence,
      BrokerMetrics metrics,
      Clock clock) {
    this.limits = new QueueLimits(maxQueuedMessages, overflow);
    this.persistence = persistence;
    this.metrics = metrics;
    this.clock = clock;
  }

  /**
   * Changes the queue bounds of every session. A lower bound applies from the next message on:
   * messages already queued beyond it stay queued and drain normally, while new ones are handled by
   * {@code newOverflow}.
   */
  public void queueLimits(int newMaxQueuedMessages, QueueOverflowPolicy newOverflow) {
    this.limits = new QueueLimits(newMaxQueuedMessages, newOverflow);
  }

  /**
   * Sets who is told when a message is queued for a connected session whose queue is at least half
   * full (the broker slows that message's publisher down), with a test that says whether that
   * session is still behind (its queue three quarters full or more while connected). Called with
   * the session's lock held: must only hand off work.
   */
  public void backlogListener(BiConsumer<BrokerMessage, BooleanSupplier> listener) {
    this.backlogListener = listener;
  }

  /** Tells the backlog listener about {@code message}, queued for a session that is behind. */
  void backlog(BrokerMessage message, BooleanSupplier stillBehind) {
    backlogListener.accept(message, stillBehind);
  }

  public int maxQueuedMessages() {
    return limits.maxQueuedMessages();
  }

  public QueueOverflowPolicy overflow() {
    return limits.overflow();
  }

  public SessionPersistence persistence() {
    return persistence;
  }

  public BrokerMetrics metrics() {
    return metrics;
  }

  public Clock clock() {
    return clock;
  }
}
