package io.outpost.function.runtime.invoke;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.outpost.function.runtime.FunctionHost;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionState;
import io.outpost.function.runtime.InvocationResult;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.Outcome;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything about one function name that outlives its versions: the active {@link
 * FunctionInstance}, metrics, totals, the last error and error-record publishing.
 */
public final class FunctionSlot {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionSlot.class);

  public final String name;
  private final FunctionHost host;
  private final ErrorRecords errors;
  private final Runnable onStateChange;
  private final MeterRegistry registry;

  /** By {@link Outcome#ordinal()}: an array index, not an EnumMap lookup, on every invocation. */
  private final Counter[] outcomes = new Counter[Outcome.values().length];

  private final Timer duration;
  private final Counter publishFailures;
  private final List<Meter> meters = new ArrayList<>();
  private final LongAdder invocations = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private volatile FunctionInstance current;
  private volatile List<String> previousVersions = List.of();
  private volatile List<String> keptVersions = List.of();
  private volatile String lastError;
  private volatile FunctionState loggedState = FunctionState.RUNNING;

  public FunctionSlot(
      String name,
      FunctionHost host,
      ErrorRecords errors,
      MeterRegistry registry,
      Runnable onStateChange) {
    this.name = name;
    this.host = host;
    this.errors = errors;
    this.registry = registry;
    this.onStateChange = onStateChange;
    for (Outcome o : Outcome.values()) {
      outcomes[o.ordinal()] =
          keep(
              Counter.builder("outpost.function.invocations")
                  .tag("function", name)
                  .tag("outcome", o.tag())
                  .description("Function invocations by outcome")
                  .register(registry));
    }
    duration =
        keep(
            Timer.builder("outpost.function.duration")
                .tag("function", name)
                .description("Handler execution time")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(1_000))
                .maximumExpectedValue(Duration.ofMinutes(1))
                .register(registry));
    publishFailures =
        keep(
            Counter.builder("outpost.function.publish.failures")
                .tag("function", name)
                .description("Function outputs the broker did not accept")
                .register(registry));
    gauge("outpost.function.queue.depth", "Invocations waiting", FunctionInstance::queueDepth);
    gauge("outpost.function.in.flight", "Invocations running", FunctionInstance::inFlight);
    gauge(
        "outpost.function.abandoned.threads",
        "Handler threads stuck after a timeout",
        FunctionInstance::abandonedThreads);
  }

  private void gauge(String meter, String description, ToDoubleFunction<FunctionInstance> value) {
    keep(
        Gauge.builder(
                meter,
                this,
                s -> {
                  FunctionInstance i = s.current;
                  return i == null ? 0 : value.applyAsDouble(i);
                })
            .tag("function", name)
            .description(description)
            .strongReference(true)
            .register(registry));
  }

  private <M extends Meter> M keep(M meter) {
    meters.add(meter);
    return meter;
  }

  public FunctionInstance current() {
    return current;
  }

  public void activate(FunctionInstance instance, List<String> previous) {
    current = instance;
    previousVersions = List.copyOf(previous);
    loggedState = FunctionState.RUNNING;
    instance.event(
        "INFO",
        null,
        "version "
            + instance.spec().version()
            + " active ("
            + instance.spec().descriptor().runtime().yaml()
            + " runtime, "
            + instance.spec().descriptor().lifecycle().yaml()
            + ")");
  }

  /**
   * Records the kept versions after a switch: {@code older} are the rollback targets (newest
   * first), {@code all} every kept version (oldest first).
   */
  public void keep(List<String> older, List<String> all) {
    previousVersions = List.copyOf(older);
    keptVersions = List.copyOf(all);
  }

  /** Switches to another instance of the same version (new settings); rollback targets stay. */
  public void replace(FunctionInstance instance) {
    current = instance;
  }

  /** Reports an outcome: metrics, totals, error record, then completes the caller's future. */
  void completed(
      FunctionInstance instance,
      Invocation inv,
      Outcome outcome,
      List<OutboundMessage> outputs,
      long nanos,
      String error) {
    outcomes[outcome.ordinal()].increment();
    if (outcome.isFailure()) {
      failures.increment();
      lastError = error;
    }
    // After its failure and last error: whoever sees this invocation counted (info()) sees them.
    invocations.increment();
    if (outcome == Outcome.OK || outcome == Outcome.ERROR || outcome == Outcome.TIMEOUT) {
      duration.record(nanos, TimeUnit.NANOSECONDS);
    }
    String version = instance.spec().version();
    if (outcome == Outcome.ERROR || outcome == Outcome.TIMEOUT) {
      instance.event(
          outcome == Outcome.TIMEOUT ? "WARN" : "ERROR",
          inv.id,
          "invocation on " + inv.message.topic() + " ended " + outcome.tag() + ": " + error);
    }
    if (outcome.isFailure()) {
      host(errors.record(name, version, outcome, error, inv.message));
    }
    inv.result.complete(
        new InvocationResult(
            name, version, outcome, outputs, Duration.ofNanos(nanos), error, inv.id));
  }

  void noteError(String error) {
    lastError = error;
  }

  /**
   * Hands an output to the host; a refusal is counted and logged, never thrown into handler code.
   */
  void publish(OutboundMessage message) {
    host(message);
  }

  private void host(OutboundMessage message) {
    try {
      host.publish(message)
          .whenComplete(
              (ok, e) -> {
                if (e != null) {
                  publishFailures.increment();
                  LOG.warn("function {}: publish to {} failed", name, message.topic(), e);
                }
              });
    } catch (RuntimeException e) {
      publishFailures.increment();
      LOG.warn("function {}: publish to {} failed", name, message.topic(), e);
    }
  }

  void stateChanged() {
    FunctionInstance i = current;
    if (i != null) {
      FunctionState now = i.state();
      FunctionState before = loggedState;
      if (now != before) {
        loggedState = now;
        i.event(
            now == FunctionState.BROKEN || now == FunctionState.ERRORED ? "WARN" : "INFO",
            null,
            "state "
                + before
                + " -> "
                + now
                + (now == FunctionState.IDLE ? " (scaled to zero)" : "")
                + (lastError != null && now == FunctionState.BROKEN ? ": " + lastError : ""));
      }
    }
    onStateChange.run();
  }

  public FunctionInfo info(FunctionState override) {
    FunctionInstance i = current;
    FunctionDescriptor d = i.spec().descriptor();
    FunctionSpec spec = i.spec();
    // Invocations first: completed() counts a failure before its invocation, so these failures
    // include those of every invocation counted here, and perhaps of some being counted right now:
    // capped, they never exceed the invocations.
    long invoked = invocations.sum();
    long failed = Math.min(failures.sum(), invoked);
    return new FunctionInfo(
        name,
        d.version(),
        d.runtime(),
        d.lifecycle(),
        d.triggers(),
        override != null ? override : i.state(),
        previousVersions,
        invoked,
        failed,
        i.queueDepth(),
        lastError,
        new FunctionInfo.Settings(
            spec.timeout().toMillis(), spec.maxConcurrency(), spec.maxQueued(), spec.overflow()),
        keptVersions.isEmpty() ? List.of(d.version()) : keptVersions,
        null);
  }

  /** Removes this function's meters (on remove). */
  public void unregister() {
    meters.forEach(registry::remove);
  }
}
