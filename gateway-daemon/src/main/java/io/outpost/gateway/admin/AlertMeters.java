package io.outpost.gateway.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionState;
import io.outpost.spool.SpoolStats;
import java.util.List;
import java.util.function.Supplier;

/**
 * Gauges the shipped Prometheus alert rules need that no component keeps itself: how many functions
 * are BROKEN ({@code outpost.functions.broken}) and the spool's capacity ({@code
 * outpost.spool.max.bytes}), so "spool filling" is a ratio of two scraped values rather than a
 * threshold copied from the configuration.
 */
public final class AlertMeters {

  private AlertMeters() {}

  public static void bind(
      MeterRegistry registry, Supplier<List<FunctionInfo>> functions, Supplier<SpoolStats> spool) {
    Gauge.builder(
            "outpost.functions.broken",
            functions,
            f -> f.get().stream().filter(i -> i.state() == FunctionState.BROKEN).count())
        .description("functions in state BROKEN (rejecting invocations after repeated failures)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("outpost.spool.max.bytes", spool, s -> s.get().maxBytes())
        .description("the spool's capacity (storage.maxBytes)")
        .baseUnit("bytes")
        .strongReference(true)
        .register(registry);
  }
}
