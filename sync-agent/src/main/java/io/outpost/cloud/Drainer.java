package io.outpost.cloud;

import io.outpost.spool.Spool;
import io.outpost.spool.SpooledMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves messages from the spool to the cloud while the link is online: leases in drain order, packs
 * them into publishes, sends within the in-flight window and the rate limits, deletes on PUBACK,
 * dead-letters refusals. On a connection loss every leased message the cloud did not acknowledge
 * goes back to the spool and is sent again on the next connection (the stable id lets consumers
 * drop the duplicates).
 *
 * <p>Two bounds apply, each on its own. Publishes awaiting PUBACK never exceed the cloud's Receive
 * Maximum (less one slot for status publishes) nor {@link CloudOptions#inflightWindow()}. Publishes
 * the cloud acknowledged whose delete is not committed yet are bounded by {@link
 * CloudOptions#pendingDeletes()}: at that many, nothing new is sent until a delete commit lands
 * (counted in {@code outpost.cloud.drain.paused{reason=pending-deletes}}). So a publish slot never
 * waits for a delete's fsync, and a crash can send at most {@code inflightWindow + pendingDeletes}
 * publishes twice: a publish is sent only while fewer than {@code pendingDeletes} wait for their
 * delete, and an acknowledgement moves a publish from one count to the other.
 *
 * <p>Leases are pipelined: up to one more window of publishes is read from the spool while the
 * window is in flight (they were never sent, so a crash cannot duplicate them), so the next publish
 * never waits for a spool read queued behind a delete commit. At most two windows of messages are
 * held in memory; of acknowledged publishes only the ids are kept until their delete commits.
 *
 * <p>Runs on the link thread, for PUBACKs on the transport's callback thread and for committed
 * deletes on the spool's writer thread: each is handled where it arrives and the next publish (or
 * delete) is sent from there, without a hand-off to the link thread (a thread wake-up costs more
 * than the work on a busy box, and the wake-ups on a round trip set the drain rate). Every entry
 * point holds {@link #lock}; it is never held while waiting for anything but the transport's
 * non-blocking publish and the spool's non-blocking submit.
 */
final class Drainer {
  private static final Logger LOG = LoggerFactory.getLogger(Drainer.class);

  /** Most messages asked of the spool at once. */
  static final int LEASE_MAX = 2000;

  /** PUBACK reason 0x97 (quota exceeded) is transient: retry after this pause. */
  static final long QUOTA_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

  static final long RETRY_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /**
   * Most message ids in one delete handed to the spool: bounds the work of one commit (a batch
   * envelope's ids all go in the same delete, so one may exceed it).
   */
  static final int DELETE_BATCH_MAX = 4096;

  private static final int QUOTA_EXCEEDED = 0x97;

  private final CloudOptions options;
  private final Spool spool;
  private final ScheduledExecutorService link;
  private final PublishPacker packer;
  private DrainProgress progress;
  private final CloudPayloadLimit payloadLimit;
  private final DrainRateLimits limits;
  private final Consumer<String> forceReconnect;
  private final LongSupplier ticker;
  private final ReentrantLock lock = new ReentrantLock();
  private final Deque<PublishUnit> ready = new ArrayDeque<>();
  private final Map<PublishUnit, Long> inflight = new LinkedHashMap<>();
  private final AtomicBoolean signalQueued = new AtomicBoolean();

  /** The message ids of acknowledged publishes not yet handed to the spool, oldest first. */
  private final Deque<List<Long>> acked = new ArrayDeque<>();

  /**
   * Deletes of acknowledged units with the spool; later acknowledgements gather meanwhile. One at a
   * time, plus one prompt delete when the gathered ones near the bound while a delete that shares
   * the wear budget's commit still waits for it.
   */
  private int deletesInFlight;

  /** One of {@link #deletesInFlight} asked for a prompt commit. */
  private boolean promptInFlight;

  /**
   * Acknowledged publishes whose delete is not committed yet (gathered or with the spool): a crash
   * would send them again. Bounded by {@link #pendingDeletesMax} before each publish.
   */
  private int deleting;

  private volatile int deletingCount;

  /** {@link CloudOptions#pendingDeletes()}. */
  private final int pendingDeletesMax;

  /** The drain found {@link #pendingDeletesMax} reached and has not sent since (counted once). */
  private boolean heldByDeletes;

  private CloudMetrics metrics;
  private CloudTransport transport;
  private int epoch;
  private boolean leasing;
  private boolean dirty;
  private boolean rateWait;
  private long pausedUntilNanos;
  private volatile int inflightCount;

  /**
   * Publishes awaiting PUBACK at most: the cloud's Receive Maximum less one, capped by the
   * configured window.
   */
  private int window;

  /**
   * @param link the link thread's scheduler; every method runs there
   * @param ticker monotonic nanoseconds (PUBACK timeouts, retry pauses); {@code System::nanoTime}
   *     outside tests
   * @param forceReconnect drops the connection with a reason (a connection that stopped
   *     acknowledging)
   */
  Drainer(
      CloudOptions options,
      Spool spool,
      ScheduledExecutorService link,
      LongSupplier ticker,
      Consumer<String> forceReconnect) {
    this.options = options;
    this.ticker = ticker;
    this.spool = spool;
    this.link = link;
    this.packer = new PublishPacker(options);
    this.payloadLimit = CloudPayloadLimit.of(options);
    this.limits = new DrainRateLimits(options);
    this.forceReconnect = forceReconnect;
    this.pendingDeletesMax = options.pendingDeletes();
  }

  void metrics(CloudMetrics value) {
    this.metrics = value;
  }

  void progress(DrainProgress value) {
    this.progress = value;
  }

  int inflight() {
    return inflightCount;
  }

  /** Publishes the cloud acknowledged whose delete is not committed yet. */
  int pendingDeletes() {
    return deletingCount;
  }

  /** A connection is up: start draining through it. */
  void online(CloudTransport connected) {
    lock.lock();
    try {
      goOnline(connected);
    } finally {
      lock.unlock();
    }
  }

  private void goOnline(CloudTransport connected) {
    transport = connected;
    // never exceed the server's Receive Maximum (one slot stays free for status publishes)
    window = Math.max(1, Math.min(options.inflightWindow(), connected.receiveMaximum() - 1));
    if (window < options.inflightWindow()) {
      LOG.info(
          "Cloud allows {} unacknowledged publishes; in-flight window lowered from {}",
          window + 1,
          options.inflightWindow());
    }
    pumpLocked();
  }

  /**
   * The connection is gone: hand every leased message back to the spool. Messages the cloud already
   * acknowledged are not handed back: their deletes proceed.
   */
  void offline() {
    lock.lock();
    try {
      goOffline();
    } finally {
      lock.unlock();
    }
  }

  private void goOffline() {
    transport = null;
    epoch++;
    List<Long> ids = new ArrayList<>();
    long redelivered = 0;
    for (PublishUnit unit : ready) {
      ids.addAll(unit.ids());
    }
    for (PublishUnit unit : inflight.keySet()) {
      ids.addAll(unit.ids());
      redelivered += unit.messages().size();
    }
    ready.clear();
    inflight.clear();
    inflightCount = 0;
    rateWait = false;
    leasing = false;
    metrics.redelivered.increment(redelivered);
    spool.release(ids);
  }

  /** From the spool's writer thread: new messages. Coalesced into one pump on the link thread. */
  void signal() {
    if (!signalQueued.getAndSet(true)) {
      CloudLink.runOn(
          link,
          () -> {
            signalQueued.set(false);
            locked(
                () -> {
                  dirty = true;
                  pumpLocked();
                });
          });
    }
  }

  /**
   * Periodic: detects a connection that stopped acknowledging and keeps the pump going. The
   * connection is dropped without the lock held: closing it waits for the transport's callback
   * thread, which may be waiting for the lock.
   */
  void tick() {
    String stalled;
    lock.lock();
    try {
      stalled = tickLocked();
    } finally {
      lock.unlock();
    }
    if (stalled != null) {
      forceReconnect.accept(stalled);
    }
  }

  /** Returns why the connection must be dropped, or null. */
  private String tickLocked() {
    if (transport == null) {
      return null;
    }
    if (!inflight.isEmpty()) {
      long oldest = inflight.values().iterator().next();
      if (ticker.getAsLong() - oldest > options.ackTimeout().toNanos()) {
        return "no PUBACK within " + options.ackTimeout().toSeconds() + " s";
      }
    }
    dirty = true;
    pumpLocked();
    return null;
  }

  void pump() {
    locked(this::pumpLocked);
  }

  /** Runs {@code task} holding the lock. */
  private void locked(Runnable task) {
    lock.lock();
    try {
      task.run();
    } finally {
      lock.unlock();
    }
  }

  private void pumpLocked() {
    if (transport == null) {
      return;
    }
    sendReady();
    if (!leasing && ready.size() * 2 <= options.inflightWindow()) {
      lease();
    }
  }

  /**
   * Reads the next publishes ahead of the window, up to {@link CloudOptions#inflightWindow()} of
   * them waiting to be sent.
   */
  private void lease() {
    int room = options.inflightWindow() - ready.size();
    if (room <= 0) {
      return;
    }
    int perUnit = options.batching().enabled() ? options.batching().maxMessages() : 1;
    int max = (int) Math.min(LEASE_MAX, (long) room * perUnit);
    leasing = true;
    dirty = false;
    int leaseEpoch = epoch;
    spool
        .lease(max)
        .whenComplete(
            (messages, error) ->
                CloudLink.runOn(
                    link,
                    () -> {
                      // packing touches no drain state: done before taking the lock, which the
                      // PUBACK handling on the transport's callback thread needs meanwhile
                      PublishPacker.Packed packed = messages == null ? null : packer.pack(messages);
                      locked(() -> onLeased(leaseEpoch, max, messages, packed, error));
                    }));
  }

  private void onLeased(
      int leaseEpoch,
      int max,
      List<SpooledMessage> messages,
      PublishPacker.Packed packed,
      Throwable error) {
    if (leaseEpoch != epoch || transport == null) {
      if (messages != null) {
        spool.release(messages.stream().map(SpooledMessage::id).toList());
      }
      return;
    }
    leasing = false;
    if (error != null) {
      LOG.error("Leasing from the spool failed; retrying shortly", error);
      pausedUntilNanos = ticker.getAsLong() + RETRY_PAUSE_NANOS;
      return;
    }
    for (SpooledMessage message : packed.tooLarge()) {
      // spooled under a larger limit (or before ingress checked it): set aside, saying why, without
      // blocking the rest
      deadLetter(List.of(message.id()), payloadLimit.reason(message.entry().payload().length));
    }
    ready.addAll(packed.units());
    if (messages.size() == max || dirty) {
      pumpLocked();
    } else {
      sendReady();
    }
  }

  @SuppressWarnings(
      "ReferenceEquality") // the unit that waited must still be the first one: identity, not
  // equality
  private void sendReady() {
    while (transport != null
        && !rateWait
        && !ready.isEmpty()
        && inflight.size() < window
        && ticker.getAsLong() >= pausedUntilNanos) {
      if (deleting >= pendingDeletesMax) {
        if (!heldByDeletes) {
          heldByDeletes = true;
          metrics.pausedForDeletes.increment();
        }
        return; // resumed by the delete commit that brings the count under the bound
      }
      PublishUnit unit = ready.peekFirst();
      long wait = limits.reserveNanos(unit.payload().length);
      if (wait > 0) {
        rateWait = true;
        int waitEpoch = epoch;
        link.schedule(
            () ->
                locked(
                    () -> {
                      if (waitEpoch != epoch) {
                        return;
                      }
                      rateWait = false;
                      if (transport != null && ready.peekFirst() == unit) {
                        ready.pollFirst();
                        publish(unit);
                      }
                      pumpLocked();
                    }),
            wait,
            TimeUnit.NANOSECONDS);
        return;
      }
      ready.pollFirst();
      publish(unit);
    }
  }

  private void publish(PublishUnit unit) {
    heldByDeletes = false;
    inflight.put(unit, ticker.getAsLong());
    inflightCount = inflight.size();
    int publishEpoch = epoch;
    (unit.batch() ? metrics.publishedBatches : metrics.publishedMessages).increment();
    transport
        .publish(
            unit.topic(),
            unit.payload(),
            unit.qos(),
            false,
            unit.userProperties(),
            unit.contentType())
        .whenComplete((reason, error) -> completed(publishEpoch, unit, reason, error));
  }

  /**
   * On the transport's callback thread (or at once, when a publish failed before it was sent):
   * handles the outcome there and sends what the freed slot allows. Nothing may be thrown back into
   * the transport, which would drop the connection for it.
   */
  private void completed(int publishEpoch, PublishUnit unit, Integer reason, Throwable error) {
    lock.lock();
    try {
      onPublished(publishEpoch, unit, reason, error);
    } catch (RuntimeException e) {
      LOG.error("Handling the outcome of a publish failed", e);
    } finally {
      lock.unlock();
    }
  }

  private void onPublished(int publishEpoch, PublishUnit unit, Integer reason, Throwable error) {
    if (publishEpoch != epoch || !inflight.containsKey(unit)) {
      return;
    }
    if (error == null && reason < 0x80) {
      delivered(unit);
      return;
    }
    inflight.remove(unit);
    inflightCount = inflight.size();
    if (error != null) {
      Throwable cause = Reconnector.unwrap(error);
      if (cause instanceof IllegalArgumentException) {
        reject(unit.ids(), "invalid: " + cause.getMessage());
      } else {
        LOG.debug("Publish failed on a live connection; retrying", cause);
        retryLater(unit, RETRY_PAUSE_NANOS);
      }
    } else if (reason == QUOTA_EXCEEDED) {
      LOG.warn("Cloud answered PUBACK 0x97 (quota exceeded); pausing the drain");
      retryLater(unit, QUOTA_PAUSE_NANOS);
    } else {
      reject(unit.ids(), String.format("puback 0x%02x %s", reason, ReasonCodes.describe(reason)));
    }
    pumpLocked();
  }

  /**
   * The cloud acknowledged: the MQTT slot is free at once, and the messages are deleted from the
   * spool. The unit counts against {@link CloudOptions#pendingDeletes()} until its delete is
   * committed; only its ids are kept meanwhile, not its payload.
   *
   * <p>Deletes are group-committed without a thread hop: with no delete in flight the
   * acknowledgement goes to the spool at once, from the thread it arrived on; acknowledgements that
   * arrive while one is in flight gather and go as one spool operation (at most {@value
   * #DELETE_BATCH_MAX} ids) when it completes, from the spool's writer thread. One delete at a time
   * is with the spool, so a slow disk sees fewer, larger delete commits rather than more of them;
   * it shares the wear budget's next commit (the spool holds even a lone delete to the budget), and
   * a second, prompt one joins it only when the pending deletes near their bound.
   */
  private void delivered(PublishUnit unit) {
    metrics.delivered.increment(unit.messages().size());
    metrics.drainRate.record(unit.messages().size());
    inflight.remove(unit);
    inflightCount = inflight.size();
    deleting++;
    deletingCount = deleting;
    acked.add(unit.ids());
    maybeFlushAcks();
    // sends what the slot allows and reads ahead as the ready queue empties: the next lease must
    // not wait for a delete commit to come around
    pumpLocked();
  }

  /**
   * Sends the gathered acknowledgements to the spool when no delete is with it, or as a prompt one
   * when half of {@link CloudOptions#pendingDeletes()} is used (the drain will soon wait for it)
   * and no prompt delete is with it yet: the delete already there may be waiting for the wear
   * budget's interval, and the prompt one ends that wait.
   */
  private void maybeFlushAcks() {
    if (acked.isEmpty()) {
      return;
    }
    boolean prompt = (long) deleting * 2 >= pendingDeletesMax;
    if (deletesInFlight == 0 || (prompt && !promptInFlight)) {
      flushAcks(prompt);
    }
  }

  /**
   * Sends the gathered acknowledgements, oldest first and up to {@value #DELETE_BATCH_MAX} ids, to
   * the spool as one delete; holds the lock. Without {@code prompt} the delete shares the wear
   * budget's commits with the appends (nothing waits for it but the bound on pending deletes).
   */
  private void flushAcks(boolean prompt) {
    List<Long> ids = new ArrayList<>();
    int units = 0;
    while (!acked.isEmpty()
        && (units == 0 || ids.size() + acked.peekFirst().size() <= DELETE_BATCH_MAX)) {
      ids.addAll(acked.pollFirst());
      units++;
    }
    int batchUnits = units;
    deletesInFlight++;
    promptInFlight |= prompt;
    spool
        .acknowledge(ids, prompt)
        .whenComplete(
            (ok, ackError) -> {
              // on the spool's writer thread: never wait there for the drain's lock (the writer
              // would stop serving leases and commits meanwhile); when it is busy, the link thread
              // takes the outcome
              if (lock.tryLock()) {
                try {
                  deletedGuarded(batchUnits, ids, prompt, ackError);
                } finally {
                  lock.unlock();
                }
              } else {
                CloudLink.runOn(
                    link, () -> locked(() -> deletedGuarded(batchUnits, ids, prompt, ackError)));
              }
            });
  }

  private void deletedGuarded(int units, List<Long> ids, boolean prompt, Throwable ackError) {
    try {
      deleted(units, ids, prompt, ackError);
    } catch (RuntimeException e) {
      LOG.error("Handling the outcome of a spool delete failed", e);
    }
  }

  /**
   * On the spool's writer thread (or at once, when the spool refused the delete): frees the count
   * the delete held, sends what that allows and the acknowledgements gathered meanwhile.
   */
  private void deleted(int units, List<Long> ids, boolean prompt, Throwable ackError) {
    deletesInFlight--;
    if (prompt) {
      promptInFlight = false;
    }
    if (ackError != null) {
      LOG.error(
          "Deleting {} delivered message(s) failed; they will be sent again", ids.size(), ackError);
      spool.release(ids);
    } else if (progress != null) {
      // the spool's depth already counts deletes whose callbacks are still to come: it says the
      // backlog is gone only when no other delete is pending
      boolean lastPending = deleting == units;
      int count = ids.size();
      CloudLink.runOn(
          link,
          () ->
              progress.acknowledged(count, lastPending ? () -> spool.stats().depth() : () -> -1L));
    }
    deleting -= units;
    deletingCount = deleting;
    maybeFlushAcks();
    pumpLocked();
  }

  private void retryLater(PublishUnit unit, long pauseNanos) {
    ready.addFirst(unit);
    pausedUntilNanos = ticker.getAsLong() + pauseNanos;
    int retryEpoch = epoch;
    link.schedule(
        () ->
            locked(
                () -> {
                  if (retryEpoch == epoch) {
                    pumpLocked();
                  }
                }),
        pauseNanos,
        TimeUnit.NANOSECONDS);
  }

  private void reject(List<Long> ids, String reason) {
    metrics.rejected.increment(ids.size());
    LOG.warn("Cloud refused {} message(s): {}", ids.size(), reason);
    deadLetter(ids, reason);
  }

  private void deadLetter(List<Long> ids, String reason) {
    spool
        .deadLetter(ids, reason)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                LOG.error(
                    "Moving {} refused message(s) to the dead-letter table failed",
                    ids.size(),
                    error);
                spool.release(ids);
              }
            });
  }
}
