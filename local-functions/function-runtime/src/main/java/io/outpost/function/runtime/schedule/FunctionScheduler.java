package io.outpost.function.runtime.schedule;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import io.outpost.function.runtime.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires scheduled functions. Each run is an ordinary invocation ({@code invoke}, which only
 * enqueues) of a message on the pseudo-topic {@code $schedule/<function>} whose JSON payload names
 * the planned time, so it meets the function's queue bound, overflow policy, timeout and limits
 * like a device message, and its outputs go where any output goes.
 *
 * <p>A run whose previous run is still queued or running is skipped, not stacked; skips are counted
 * ({@code outpost.function.scheduled{outcome=skipped}}) and logged. Runs missed while the daemon
 * was down are not replayed, unless the function asks for {@code catchUp}: then the first time its
 * schedule is armed, one run makes up for all it missed, and the planned time of each run is kept
 * durably ({@link LastRuns}).
 *
 * <p>Time comes from the injected clock and timer; no handler code runs on the timer's thread.
 */
public final class FunctionScheduler implements AutoCloseable {

  /** Scheduled runs arrive on {@code $schedule/<function>}, which no MQTT client can publish to. */
  public static final String TOPIC_PREFIX = "$schedule/";

  /** The outcome tag of a run skipped because the previous one had not finished. */
  public static final String SKIPPED = "skipped";

  private static final Logger LOG = LoggerFactory.getLogger(FunctionScheduler.class);
  private static final String METER = "outpost.function.scheduled";

  private final Clock clock;
  private final ScheduleTimer timer;
  private final LastRuns lastRuns;
  private final MeterRegistry registry;
  private final BiFunction<String, InboundMessage, CompletionStage<InvocationResult>> invoke;
  private final RunLog runLog;
  private final Map<String, Armed> armed = new HashMap<>();
  private final Map<String, Tally> tallies = new HashMap<>();
  private final Set<String> seen = new HashSet<>();
  private boolean closed;

  /**
   * @param clock what time it is
   * @param timer runs the firing tasks
   * @param stateDir where {@code catchUp} functions' last run times are kept
   * @param registry metrics
   * @param invoke queues one invocation and never blocks ({@code FunctionRuntime#invoke})
   * @param runLog the function's own log, where each run, skip and catch-up is written beside its
   *     handler's lines
   */
  public FunctionScheduler(
      Clock clock,
      ScheduleTimer timer,
      Path stateDir,
      MeterRegistry registry,
      BiFunction<String, InboundMessage, CompletionStage<InvocationResult>> invoke,
      RunLog runLog) {
    this.clock = clock;
    this.timer = timer;
    this.lastRuns = new LastRuns(stateDir);
    this.registry = registry;
    this.invoke = invoke;
    this.runLog = runLog;
  }

  /** Where scheduled runs are told to the function's own log (never blocks, never throws). */
  @FunctionalInterface
  public interface RunLog {
    /** Writes {@code message} at {@code level} (INFO, WARN) to {@code function}'s log. */
    void append(String function, String level, String message);
  }

  /**
   * Arms (or re-arms) a function's schedule after a deploy, rollback, reload or start; a null
   * {@code timing} cancels it. An unchanged schedule keeps its planned next run. The first time a
   * function is armed, a {@code catchUp} schedule that missed runs since its recorded last run
   * makes up for them with one run at once.
   */
  public synchronized void arm(String function, Timing timing, boolean catchUp) {
    if (closed) {
      return;
    }
    Armed old = armed.get(function);
    if (old != null && old.timing.equals(timing) && old.catchUp == catchUp) {
      return;
    }
    if (old != null) {
      old.cancel();
      armed.remove(function);
      LOG.info("function {}: schedule cancelled", function);
    }
    if (timing == null) {
      return;
    }
    boolean first = seen.add(function);
    Instant now = clock.instant();
    Armed a = new Armed(function, timing, catchUp, tallies.computeIfAbsent(function, Tally::new));
    a.next = timing.next(now);
    armed.put(function, a);
    if (first && catchUp) {
      lastRuns
          .read(function)
          .map(timing::next)
          .filter(missed -> !missed.isAfter(now))
          .ifPresent(missed -> timer.after(Duration.ZERO, () -> catchUp(a, missed)));
    }
    arm(a, now);
    LOG.info("function {}: scheduled ({}), next run at {}", function, describe(timing), a.next);
  }

  /** Cancels a removed function's schedule and forgets its last run and metrics. */
  public void remove(String function) {
    synchronized (this) {
      Armed a = armed.remove(function);
      if (a != null) {
        a.cancel();
      }
      seen.remove(function);
      tallies.remove(function);
    }
    List<Meter> meters = registry.find(METER).tag("function", function).meters().stream().toList();
    meters.forEach(registry::remove);
    try {
      lastRuns.delete(function);
    } catch (IOException e) {
      LOG.warn("function {}: cannot delete its last scheduled run", function, e);
    }
  }

  /** The function's schedule for status, if it has one. */
  public synchronized Optional<FunctionInfo.Schedule> status(String function) {
    Armed a = armed.get(function);
    if (a == null) {
      return Optional.empty();
    }
    return Optional.of(
        new FunctionInfo.Schedule(
            a.timing instanceof CronTiming c ? c.expression() : null,
            a.timing instanceof EveryTiming e ? e.text() : null,
            a.catchUp,
            a.next,
            a.tally.lastRun,
            a.tally.runs.sum(),
            a.tally.skipped.sum()));
  }

  /** Cancels every schedule; runs already queued finish as the runtime drains. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    armed.values().forEach(Armed::cancel);
    armed.clear();
  }

  private void arm(Armed a, Instant now) {
    if (a.next != null) {
      a.pending = timer.after(Duration.between(now, a.next), () -> fire(a));
    }
  }

  /** On the timer's thread when a planned run is due. */
  private void fire(Armed a) {
    Instant due;
    synchronized (this) {
      if (closed || armed.get(a.function) != a || a.next == null) {
        return;
      }
      Instant now = clock.instant();
      if (now.isBefore(a.next)) { // the timer woke early (or the clock was set back): wait more
        arm(a, now);
        return;
      }
      due = a.next;
      Instant following = a.timing.next(due);
      if (following != null && !following.isAfter(now)) {
        following = a.timing.next(now); // behind (a suspended machine): runs are not stacked up
      }
      a.next = following;
      arm(a, now);
    }
    CompletableFuture<?> previous = a.inFlight;
    if (previous != null && !previous.isDone()) {
      a.tally.skipped();
      LOG.warn(
          "function {}: scheduled run for {} skipped: the previous run has not finished",
          a.function,
          due);
      runLog.append(
          a.function,
          "WARN",
          "scheduled run for " + due + " skipped: the previous run has not finished");
      return;
    }
    run(a, due, false);
  }

  private void catchUp(Armed a, Instant missed) {
    synchronized (this) {
      if (closed || armed.get(a.function) != a) {
        return;
      }
    }
    LOG.info("function {}: catching up on runs missed since {}", a.function, missed);
    runLog.append(a.function, "INFO", "catching up on scheduled runs missed since " + missed);
    run(a, missed, true);
  }

  private void run(Armed a, Instant due, boolean catchUp) {
    a.tally.lastRun = due;
    InboundMessage message =
        new InboundMessage(
            TOPIC_PREFIX + a.function,
            payload(due, catchUp).getBytes(StandardCharsets.UTF_8),
            0,
            List.of(),
            null,
            clock.instant());
    LOG.debug("function {}: scheduled run for {}", a.function, due);
    runLog.append(a.function, "INFO", "scheduled run for " + due);
    CompletableFuture<InvocationResult> result =
        invoke.apply(a.function, message).toCompletableFuture();
    a.inFlight = result;
    result.whenComplete(
        (r, e) -> {
          Outcome outcome = r == null ? Outcome.ERROR : r.outcome();
          a.tally.finished(outcome);
          if (outcome == Outcome.OVERFLOW) {
            LOG.warn(
                "function {}: scheduled run for {} skipped: its queue is full", a.function, due);
            runLog.append(
                a.function, "WARN", "scheduled run for " + due + " skipped: its queue is full");
          }
        });
    if (a.catchUp) {
      try {
        lastRuns.write(a.function, due);
      } catch (IOException e) {
        LOG.warn("function {}: cannot record its last scheduled run", a.function, e);
      }
    }
  }

  static String payload(Instant due, boolean catchUp) {
    return "{\"scheduledTime\":\"" + due + "\"" + (catchUp ? ",\"catchUp\":true}" : "}");
  }

  private static String describe(Timing timing) {
    return timing instanceof CronTiming c
        ? "schedule \"" + c.expression() + "\""
        : "every " + ((EveryTiming) timing).text();
  }

  /** One function's armed schedule; replaced whole when the schedule changes. */
  private static final class Armed {
    final String function;
    final Timing timing;
    final boolean catchUp;
    final Tally tally;
    Instant next; // guarded by the scheduler
    Future<?> pending; // guarded by the scheduler
    volatile CompletableFuture<?> inFlight;

    Armed(String function, Timing timing, boolean catchUp, Tally tally) {
      this.function = function;
      this.timing = timing;
      this.catchUp = catchUp;
      this.tally = tally;
    }

    void cancel() {
      if (pending != null) {
        pending.cancel(false);
      }
      next = null;
    }
  }

  /** Counts of one function's scheduled runs; outlives re-arming, dropped on remove. */
  private final class Tally {
    final String function;
    final LongAdder runs = new LongAdder();
    final LongAdder skipped = new LongAdder();
    volatile Instant lastRun;

    Tally(String function) {
      this.function = function;
    }

    /** A run not started because the previous one had not finished. */
    void skipped() {
      skipped.increment();
      counter(SKIPPED).increment();
    }

    /** A run that went through the pipeline; a full queue counts as skipped too. */
    void finished(Outcome outcome) {
      runs.increment();
      if (outcome == Outcome.OVERFLOW) {
        skipped.increment();
      }
      counter(outcome.tag()).increment();
    }

    private Counter counter(String outcome) {
      return Counter.builder(METER)
          .tag("function", function)
          .tag("outcome", outcome)
          .description(
              "Scheduled function runs by outcome (skipped: the previous run had not finished)")
          .register(registry);
    }
  }
}
