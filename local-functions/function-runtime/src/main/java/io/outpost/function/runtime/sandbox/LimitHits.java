package io.outpost.function.runtime.sandbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.logs.FunctionLogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a function hitting a limit is told: one log line naming the function and the limit, and
 * {@code outpost_function_limit_hits_total{function,limit}}. What the hit does to the function
 * (ERRORED, BROKEN, restart) is the runtime's business; this class only makes it visible.
 */
public final class LimitHits {

  /** The Micrometer name; Prometheus exposes it as {@code outpost_function_limit_hits_total}. */
  public static final String METER = "outpost.function.limit.hits";

  private static final Logger LOG = LoggerFactory.getLogger(LimitHits.class);

  private final MeterRegistry registry;
  private final FunctionLogStore logs;

  public LimitHits(MeterRegistry registry) {
    this(registry, FunctionLogStore.discarding());
  }

  /**
   * @param logs where each hit also becomes a runtime event in the function's own log
   */
  public LimitHits(MeterRegistry registry, FunctionLogStore logs) {
    this.registry = registry;
    this.logs = logs;
  }

  /**
   * Records one hit.
   *
   * @param function the function's name
   * @param limit which limit
   * @param detail what happened, for the log line (e.g. "OOM-killed in cgroup, limit 128 MiB")
   */
  public void hit(String function, LimitKind limit, String detail) {
    LOG.warn("function {} hit its {} limit: {}", function, limit.tag(), detail);
    counter(function, limit).increment();
    logs.append(
        function, "WARN", LogSource.RUNTIME, null, "hit its " + limit.tag() + " limit: " + detail);
  }

  /** How often {@code function} hit {@code limit} since the daemon started. */
  public double count(String function, LimitKind limit) {
    return counter(function, limit).count();
  }

  private Counter counter(String function, LimitKind limit) {
    return Counter.builder(METER)
        .tag("function", function)
        .tag("limit", limit.tag())
        .description("Times a function hit one of its resource limits")
        .register(registry);
  }
}
