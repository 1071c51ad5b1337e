package io.outpost.sim.report;

import io.outpost.sim.measure.SimClock;
import io.outpost.sim.measure.TimelinePoint;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Samples a session once a period on its own named thread, keeps the samples as the session's
 * timeline (bounded: at most {@code maxPoints}, later samples are counted as dropped) and prints
 * one progress line per sample unless quiet.
 */
public final class ProgressReporter implements AutoCloseable {

  /** Default sampling period. */
  public static final Duration DEFAULT_PERIOD = Duration.ofSeconds(1);

  /** Default bound on kept samples: one day at one per second. */
  public static final int DEFAULT_MAX_POINTS = 86_400;

  private final LongFunction<TimelinePoint> sampler;
  private final Function<TimelinePoint, String> format;
  private final SimClock clock;
  private final PrintStream out;
  private final Duration period;
  private final int maxPoints;
  private final List<TimelinePoint> timeline = new ArrayList<>();
  private ScheduledExecutorService executor;
  private long startNanos;
  private long dropped;

  /**
   * @param sampler turns "nanoseconds since start" into a sample
   * @param format renders a sample as a progress line, e.g. {@link ProgressFormat#run}
   * @param out where progress lines go, or null for none
   */
  public ProgressReporter(
      LongFunction<TimelinePoint> sampler,
      Function<TimelinePoint, String> format,
      SimClock clock,
      PrintStream out,
      Duration period,
      int maxPoints) {
    this.sampler = sampler;
    this.format = format;
    this.clock = clock;
    this.out = out;
    this.period = period;
    this.maxPoints = maxPoints;
  }

  /** Starts sampling with time zero now. Idempotent. */
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    startNanos = clock.nanoTime();
    executor =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "device-sim-progress"));
    long p = period.toNanos();
    executor.scheduleAtFixedRate(this::sample, p, p, TimeUnit.NANOSECONDS);
  }

  private void sample() {
    TimelinePoint point = sampler.apply(clock.nanoTime() - startNanos);
    synchronized (this) {
      if (timeline.size() < maxPoints) {
        timeline.add(point);
      } else {
        dropped++;
      }
    }
    if (out != null) {
      out.println(format.apply(point));
    }
  }

  /**
   * Stops sampling, waiting for a sample in progress, and takes one last sample so even a session
   * shorter than one period has a timeline point. Idempotent.
   */
  @Override
  public void close() {
    ScheduledExecutorService e;
    synchronized (this) {
      e = executor;
      executor = null;
    }
    if (e == null) {
      return;
    }
    e.shutdownNow();
    try {
      if (!e.awaitTermination(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("progress thread did not stop");
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      return;
    }
    sample();
  }

  /** The samples so far. */
  public synchronized List<TimelinePoint> timeline() {
    return List.copyOf(timeline);
  }

  /** Samples not kept because the timeline was full. */
  public synchronized long droppedPoints() {
    return dropped;
  }
}
