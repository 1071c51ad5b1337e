package io.outpost.sim.fleet;

import io.outpost.sim.client.PublishRejectedException;
import io.outpost.sim.client.SimClient;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.payload.MessageContext;
import java.util.SplittableRandom;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One device: its own connection, a per-device sequence starting at 1, and a pacing tick that sends
 * every message whose intended time has come (catching up after stalls), bounded by an in-flight
 * window. Latency is measured from each message's intended send time, so stalls are not hidden.
 *
 * <p>Ticks of one device never overlap (fixed-rate scheduling), so the sequence state needs no
 * lock.
 */
final class SimulatedDevice {

  private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final int index;
  private final String deviceId;
  private final String topic;
  private final SimClient client;
  private final FleetOptions options;
  private final RunStats stats;
  private final SimClock clock;
  private final Semaphore window;
  private final SplittableRandom random;
  private final Runnable onDone;
  private final long limit;
  private long startNanos;
  private long startEpochMicros;
  private long sentCount;
  private volatile boolean done;
  private ScheduledFuture<?> ticker;

  SimulatedDevice(
      int index,
      SimClient client,
      FleetOptions options,
      RunStats stats,
      SimClock clock,
      Runnable onDone) {
    this.index = index;
    this.deviceId = options.deviceId(index);
    this.topic =
        options
            .topic()
            .render(new MessageContext(deviceId, index, 0, 0), new SplittableRandom(index));
    this.client = client;
    this.options = options;
    this.stats = stats;
    this.clock = clock;
    this.window = new Semaphore(options.window());
    this.random = new SplittableRandom(options.seed() + index);
    this.onDone = onDone;
    this.limit = options.messagesPerDevice() > 0 ? options.messagesPerDevice() : Long.MAX_VALUE;
  }

  SimClient client() {
    return client;
  }

  /** Starts pacing now. */
  synchronized void begin(ScheduledExecutorService pacer) {
    startNanos = clock.nanoTime();
    startEpochMicros = clock.epochMicros();
    double rate = options.ratePerDevice();
    long period = rate > 0 ? (long) (1e9 / rate) : MIN_TICK_NANOS;
    period = Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, period));
    ticker = pacer.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.NANOSECONDS);
  }

  /** Marks the device finished without sending (e.g. its connect failed). */
  void abandon() {
    finish();
  }

  synchronized void stop() {
    done = true;
    if (ticker != null) {
      ticker.cancel(false);
    }
  }

  /** Messages sent but not yet acknowledged. */
  int unacked() {
    return options.window() - window.availablePermits();
  }

  private void tick() {
    if (done) {
      return;
    }
    long now = clock.nanoTime();
    double rate = options.ratePerDevice();
    long due = rate > 0 ? Math.min(limit, (long) ((now - startNanos) * rate / 1e9) + 1) : limit;
    while (sentCount < due && !done) {
      if (!window.tryAcquire()) {
        stats.windowFull.increment();
        break;
      }
      long intendedNanos = rate > 0 ? startNanos + (long) (sentCount * 1e9 / rate) : now;
      long intendedMicros = startEpochMicros + (intendedNanos - startNanos) / 1000;
      byte[] payload =
          options
              .payload()
              .render(new MessageContext(deviceId, index, sentCount + 1, intendedMicros), random);
      try {
        client.publish(topic, payload, options.qos(), failure -> completed(intendedNanos, failure));
      } catch (PublishRejectedException e) {
        // nothing was sent: keep the sequence number and its intended time, retry next tick
        window.release();
        stats.rejected.increment();
        break;
      }
      sentCount++;
      stats.sent.increment();
    }
    if (sentCount >= limit && unacked() == 0) {
      finish();
    }
  }

  private void completed(long intendedNanos, Throwable failure) {
    window.release();
    if (failure == null) {
      stats.acked.increment();
      stats.ackLatency.record((clock.nanoTime() - intendedNanos) / 1000);
    } else {
      stats.failed.increment();
    }
  }

  private void finish() {
    boolean first;
    synchronized (this) {
      first = !done;
      done = true;
      if (ticker != null) {
        ticker.cancel(false);
      }
    }
    if (first) {
      onDone.run();
    }
  }
}
