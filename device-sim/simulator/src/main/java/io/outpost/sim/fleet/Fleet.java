package io.outpost.sim.fleet;

import io.outpost.sim.client.SimClient;
import io.outpost.sim.client.SimClients;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.measure.TimelinePoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fleet of simulated devices publishing to one broker: connects them over the ramp-up, paces
 * their messages, waits until the duration or count is reached and the acknowledgements are in,
 * then disconnects. Use {@link #start()}, {@link #awaitCompletion()}, {@link #summary} and {@link
 * #close()}; {@link #sample} feeds live progress.
 */
public final class Fleet implements AutoCloseable {

  private static final Duration DISCONNECT_QUIESCE = Duration.ofSeconds(1);
  private static final Duration DISCONNECT_WAIT = Duration.ofSeconds(10);
  private static final long DRAIN_POLL_MILLIS = 10;
  private static final long STOP_POLL_MILLIS = 20;

  private final FleetOptions options;
  private final SimClock clock;
  private final RunStats stats = new RunStats();
  private final List<SimulatedDevice> devices = new ArrayList<>();
  private final CountDownLatch finished;
  private final AtomicLong firstBeginNanos = new AtomicLong(Long.MIN_VALUE);
  private ScheduledThreadPoolExecutor pacer;
  private long startNanos;
  private long endNanos = Long.MIN_VALUE;
  private long unackedAtEnd;
  private volatile boolean stopping;
  private volatile boolean stopRequested;
  private boolean closed;
  private long lastSampleAcked;
  private long lastSampleNanos;

  public Fleet(FleetOptions options, SimClock clock) {
    this.options = options;
    this.clock = clock;
    this.finished = new CountDownLatch(options.devices());
  }

  /** Creates the devices and schedules their connections over the ramp-up. Idempotent. */
  public synchronized void start() {
    if (pacer != null) {
      return;
    }
    AtomicInteger threads = new AtomicInteger();
    pacer =
        new ScheduledThreadPoolExecutor(
            options.pacerThreads(),
            r -> new Thread(r, "device-sim-pacer-" + threads.incrementAndGet()));
    pacer.setRemoveOnCancelPolicy(true);
    startNanos = clock.nanoTime();
    long rampNanos = options.rampUp().toNanos();
    for (int i = 0; i < options.devices(); i++) {
      SimClient client = SimClients.create(options.connection(), options.deviceId(i));
      SimulatedDevice device =
          new SimulatedDevice(i, client, options, stats, clock, finished::countDown);
      devices.add(device);
      long delay = options.devices() == 1 ? 0 : rampNanos * i / options.devices();
      pacer.schedule(() -> connect(device), delay, TimeUnit.NANOSECONDS);
    }
  }

  private void connect(SimulatedDevice device) {
    if (stopping) {
      device.abandon();
      return;
    }
    device
        .client()
        .connect()
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                stats.connectFailures.incrementAndGet();
                System.err.println(
                    "device "
                        + device.client().clientId()
                        + " could not connect: "
                        + describe(failure));
                device.abandon();
                return;
              }
              stats.connected.incrementAndGet();
              firstBeginNanos.compareAndSet(Long.MIN_VALUE, clock.nanoTime());
              try {
                if (!stopping) {
                  device.begin(pacer);
                }
              } catch (RejectedExecutionException e) {
                // the fleet stopped while this device was connecting; it has nothing to send
                device.abandon();
              }
            });
  }

  /**
   * The failure and its root cause, e.g. "MqttException: ... (SSLHandshakeException: PKIX path
   * ...)".
   */
  static String describe(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == failure ? String.valueOf(failure) : failure + " (" + root + ")";
  }

  /**
   * Blocks until every device has sent its count or the duration has passed, then stops sending,
   * waits up to the drain timeout for outstanding acknowledgements and disconnects every device.
   */
  public void awaitCompletion() throws InterruptedException {
    Duration duration = options.duration();
    long deadline = duration.isZero() ? Long.MAX_VALUE : startNanos + duration.toNanos();
    while (!stopRequested && !finished.await(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
      if (clock.nanoTime() - deadline >= 0 && deadline != Long.MAX_VALUE) {
        break;
      }
    }
    stopSending();
    long drainDeadline = clock.nanoTime() + options.drainTimeout().toNanos();
    while (unacked() > 0 && clock.nanoTime() < drainDeadline) {
      Thread.sleep(DRAIN_POLL_MILLIS);
    }
    synchronized (this) {
      unackedAtEnd = unacked();
      endNanos = clock.nanoTime();
    }
    disconnectAll();
  }

  private void stopSending() throws InterruptedException {
    stopping = true;
    devices.forEach(SimulatedDevice::stop);
    ScheduledThreadPoolExecutor p;
    synchronized (this) {
      p = pacer;
    }
    if (p != null) {
      p.shutdownNow();
      if (!p.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("pacer threads did not stop within 10 s");
      }
    }
  }

  private long unacked() {
    return devices.stream().mapToLong(SimulatedDevice::unacked).sum();
  }

  private void disconnectAll() throws InterruptedException {
    List<CompletableFuture<Void>> pending = new ArrayList<>();
    for (SimulatedDevice d : devices) {
      pending.add(
          d.client()
              .disconnect(DISCONNECT_QUIESCE)
              .exceptionally(
                  e -> {
                    System.err.println(
                        "device "
                            + d.client().clientId()
                            + " disconnect failed: "
                            + e.getMessage());
                    return null;
                  }));
    }
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(DISCONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("some devices did not disconnect cleanly: " + e);
    }
    devices.forEach(d -> d.client().close());
  }

  /**
   * Makes {@link #awaitCompletion()} stop sending now (e.g. on Ctrl-C); the summary stays valid.
   */
  public void requestStop() {
    stopRequested = true;
  }

  /** A live progress sample; called by one reporting thread. */
  public TimelinePoint sample(long sinceStartNanos) {
    long acked = stats.acked.sum();
    double seconds = (sinceStartNanos - lastSampleNanos) / 1e9;
    double rate = seconds > 0 ? (acked - lastSampleAcked) / seconds : 0;
    lastSampleAcked = acked;
    lastSampleNanos = sinceStartNanos;
    return new TimelinePoint(
        sinceStartNanos / 1e9,
        clock.epochMicros() / 1000,
        stats.sent.sum(),
        acked,
        0,
        stats.errors(),
        0,
        0,
        0,
        rate);
  }

  /** The result; call after {@link #awaitCompletion()}. */
  public synchronized RunSummary summary(List<TimelinePoint> timeline) {
    long end = endNanos == Long.MIN_VALUE ? clock.nanoTime() : endNanos;
    long begin = firstBeginNanos.get() == Long.MIN_VALUE ? startNanos : firstBeginNanos.get();
    double elapsed = Math.max(0, (end - begin) / 1e9);
    long acked = stats.acked.sum();
    return new RunSummary(
        options.devices(),
        stats.connected.get(),
        stats.connectFailures.get(),
        options.qos(),
        options.connection().version().name(),
        options.ratePerDevice(),
        options.payload().toString(),
        stats.sent.sum(),
        acked,
        stats.failed.sum(),
        stats.rejected.sum(),
        stats.windowFull.sum(),
        unackedAtEnd,
        elapsed,
        elapsed > 0 ? acked / elapsed : 0,
        stats.ackLatency.total(),
        timeline);
  }

  /** Stops everything and releases every connection and thread. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      stopSending();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    devices.forEach(d -> d.client().close());
  }
}
