package io.outpost.broker.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The security meters: {@code outpost.security.auth.failures{reason}}, {@code
 * outpost.security.denied{action}}, {@code outpost.security.reloads{file,result}} and the {@code
 * outpost.security.auth.queue} gauge.
 */
final class SecurityMetrics {

  static final String AUTH_FAILURES = "outpost.security.auth.failures";
  static final String DENIED = "outpost.security.denied";
  static final String RELOADS = "outpost.security.reloads";
  static final String AUTH_QUEUE = "outpost.security.auth.queue";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  SecurityMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void authFailure(AuthOutcome.Result reason) {
    counter(AUTH_FAILURES, "reason", reason.key(), "CONNECTs refused before authorization")
        .increment();
  }

  void denied(PolicyAction action) {
    counter(DENIED, "action", action.key(), "requests refused by the authorization policy")
        .increment();
  }

  void reload(String file, boolean ok) {
    String key = RELOADS + file + ok;
    counters
        .computeIfAbsent(
            key,
            k ->
                Counter.builder(RELOADS)
                    .description("certificate/password file reloads")
                    .tag("file", file)
                    .tag("result", ok ? "ok" : "failed")
                    .register(registry))
        .increment();
  }

  void queueGauge(Supplier<Number> depth) {
    io.micrometer.core.instrument.Gauge.builder(AUTH_QUEUE, depth)
        .description("CONNECTs waiting for a password check")
        .strongReference(true)
        .register(registry);
  }

  private Counter counter(String name, String tag, String value, String description) {
    return counters.computeIfAbsent(
        name + tag + value,
        k -> Counter.builder(name).description(description).tag(tag, value).register(registry));
  }
}
