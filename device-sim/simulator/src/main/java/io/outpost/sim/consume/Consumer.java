package io.outpost.sim.consume;

import io.outpost.sim.client.SimClient;
import io.outpost.sim.client.SimClients;
import io.outpost.sim.measure.DrainTracker;
import io.outpost.sim.measure.LatencyLog;
import io.outpost.sim.measure.LatencyRecorder;
import io.outpost.sim.measure.SequenceCounts;
import io.outpost.sim.measure.SequenceTracker;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.measure.TimelinePoint;
import io.outpost.sim.payload.DecodedMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Subscribes with one or more connections and checks what arrives: per-device sequences (lost,
 * duplicated, out of order), end-to-end latency from the embedded intended send time, and the drain
 * of an outage backlog. {@link #start()} returns once every subscription is acknowledged, so
 * publishers started afterwards are fully observed.
 */
public final class Consumer implements AutoCloseable {

  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(30);
  private static final int SETUP_ATTEMPTS = 3;
  private static final Duration DISCONNECT_QUIESCE = Duration.ofSeconds(1);
  private static final long POLL_MILLIS = 50;

  private final ConsumerOptions options;
  private final SimClock clock;
  private final List<SimClient> clients = new ArrayList<>();
  private final List<SequenceTracker> trackers = new ArrayList<>();
  private final LatencyRecorder latency = new LatencyRecorder();
  private final DrainTracker drain;
  private final LongAdder received = new LongAdder();
  private final LongAdder undecodable = new LongAdder();
  private final LongAdder warmupExcluded = new LongAdder();
  private final AtomicLong firstArrivalNanos = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lastArrivalNanos = new AtomicLong(Long.MIN_VALUE);
  private long startNanos;
  private boolean started;
  private volatile boolean stopRequested;
  private boolean closed;
  private long lastSampleReceived;
  private volatile LatencyLog latencyLog;
  private long lastSampleNanos;

  public Consumer(ConsumerOptions options, SimClock clock) {
    this.options = options;
    this.clock = clock;
    this.drain = new DrainTracker(options.staleThreshold());
  }

  /**
   * Also records each decodable message's latency with its device, sequence number and intended
   * send time in {@code log}, warm-up included (whoever pairs the log chooses by send time what to
   * leave out). Call before {@link #start()}.
   */
  public void logLatencies(LatencyLog log) {
    this.latencyLog = log;
  }

  /**
   * Connects and subscribes every subscriber (all in parallel); returns when all SUBACKs arrived. A
   * setup that fails (a broker that drops a fresh connection, a flaky link) closes what was opened
   * and starts over, up to {@value #SETUP_ATTEMPTS} times; one that times out is not retried. A
   * failed start leaves no client (and no reconnect thread) behind. Idempotent.
   */
  public synchronized void start() throws InterruptedException {
    if (started) {
      return;
    }
    started = true;
    startNanos = clock.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        connectAndSubscribe();
        return;
      } catch (IllegalStateException | InterruptedException e) {
        clients.forEach(SimClient::close);
        clients.clear();
        trackers.clear();
        if (e instanceof InterruptedException
            || e.getCause() instanceof TimeoutException
            || attempt == SETUP_ATTEMPTS) {
          throw e;
        }
        System.err.println("subscriber setup failed (" + e.getMessage() + "); retrying");
      }
    }
  }

  private void connectAndSubscribe() throws InterruptedException {
    for (int i = 1; i <= options.subscribers(); i++) {
      clients.add(SimClients.create(options.connection(), options.clientIdPrefix() + "-" + i));
      trackers.add(
          new SequenceTracker(options.firstSeq(), options.maxDevices(), options.maxGapRanges()));
    }
    await(clients.stream().map(SimClient::connect).toList(), "connect");
    List<CompletableFuture<Void>> subscribed = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      SequenceTracker tracker = trackers.get(i);
      subscribed.add(
          clients
              .get(i)
              .subscribe(
                  options.topicFilter(),
                  options.qos(),
                  (topic, payload) -> onMessage(tracker, topic, payload)));
    }
    await(subscribed, "subscribe");
  }

  private static void await(List<CompletableFuture<Void>> all, String what)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
          .get(SETUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + " failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException(what + " timed out after " + SETUP_TIMEOUT, e);
    }
  }

  private void onMessage(SequenceTracker tracker, String topic, byte[] payload) {
    long arrival = clock.nanoTime() - startNanos;
    long nowMicros = clock.epochMicros();
    received.increment();
    firstArrivalNanos.compareAndSet(Long.MIN_VALUE, arrival);
    lastArrivalNanos.accumulateAndGet(arrival, Math::max);
    DecodedMessage m = options.decoder().decode(topic, payload);
    long e2e = -1;
    if (m.hasTimestamp()) {
      e2e = nowMicros - m.epochMicros();
      LatencyLog log = latencyLog;
      if (log != null && m.hasSeq()) {
        log.record(m.deviceId(), m.seq(), e2e, m.epochMicros());
      }
      if (arrival - firstArrivalNanos.get() >= options.warmup().toNanos()) {
        latency.record(e2e);
      } else {
        warmupExcluded.increment();
      }
    }
    drain.onArrival(arrival, e2e);
    if (m.hasSeq()) {
      tracker.record(m.deviceId(), m.seq());
    } else {
      undecodable.increment();
    }
  }

  /**
   * Blocks until the duration passes, the idle timeout passes after the first message, or every
   * expected message has arrived (when expectations were given), whichever comes first.
   */
  public void awaitCompletion() throws InterruptedException {
    long durationNanos = options.duration().toNanos();
    long idleNanos = options.idleTimeout().toNanos();
    long expected = options.expectedDeliveries();
    while (!stopRequested) {
      long now = clock.nanoTime() - startNanos;
      if (durationNanos > 0 && now >= durationNanos) {
        return;
      }
      long last = lastArrivalNanos.get();
      if (idleNanos > 0 && last != Long.MIN_VALUE && now - last >= idleNanos) {
        return;
      }
      if (expected > 0) {
        SequenceCounts c = counts();
        if (c.received() - c.duplicates() - c.untracked() >= expected) {
          return;
        }
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Makes {@link #awaitCompletion()} return now (e.g. on Ctrl-C). */
  public void requestStop() {
    stopRequested = true;
  }

  private SequenceCounts counts() {
    SequenceCounts total = SequenceCounts.EMPTY;
    for (SequenceTracker t : trackers) {
      total = total.plus(t.counts(options.expectedPerDevice(), options.expectedDevices()));
    }
    return total;
  }

  /** A live progress sample; called by one reporting thread. */
  public TimelinePoint sample(long sinceStartNanos) {
    long now = received.sum();
    double seconds = (sinceStartNanos - lastSampleNanos) / 1e9;
    double rate = seconds > 0 ? (now - lastSampleReceived) / seconds : 0;
    lastSampleReceived = now;
    lastSampleNanos = sinceStartNanos;
    SequenceTracker[] snapshot;
    synchronized (this) {
      snapshot = trackers.toArray(SequenceTracker[]::new);
    }
    SequenceCounts c = SequenceCounts.EMPTY;
    for (SequenceTracker t : snapshot) {
      c = c.plus(t.counts());
    }
    return new TimelinePoint(
        sinceStartNanos / 1e9,
        clock.epochMicros() / 1000,
        0,
        0,
        now,
        undecodable.sum(),
        c.lost(),
        c.duplicates(),
        drain.backlogMessages(),
        rate);
  }

  /** The result so far; final after {@link #close()}. */
  public synchronized ConsumeSummary summary(List<TimelinePoint> timeline) {
    long first = firstArrivalNanos.get();
    long last = lastArrivalNanos.get();
    double elapsed = first == Long.MIN_VALUE ? 0 : (last - first) / 1e9;
    long total = received.sum();
    return new ConsumeSummary(
        options.subscribers(),
        options.topicFilter(),
        total,
        undecodable.sum(),
        counts(),
        elapsed,
        elapsed > 0 ? total / elapsed : 0,
        latency.total(),
        warmupExcluded.sum(),
        latency.negativeCount(),
        drain.summary(),
        timeline);
  }

  /** Disconnects and closes every subscriber. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<Void>> pending =
        clients.stream().map(c -> c.disconnect(DISCONNECT_QUIESCE)).toList();
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(DISCONNECT_QUIESCE.toMillis() * 5, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("some subscribers did not disconnect cleanly: " + e);
    } finally {
      clients.forEach(SimClient::close);
    }
  }
}
