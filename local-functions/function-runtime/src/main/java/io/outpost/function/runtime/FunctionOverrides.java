package io.outpost.function.runtime;

import java.util.Map;

/**
 * Operator settings for one deployed function, the YAML {@code functions.overrides.<name>:} entry.
 * They win over the function's descriptor, which wins over the runtime defaults, so an operator can
 * retune a function (and change them on a configuration reload) without repackaging it. Every key
 * is optional; an absent key leaves the descriptor's value.
 *
 * @param timeoutMillis per-invocation timeout
 * @param maxConcurrency invocations running at once; process functions only accept 1
 * @param maxQueued invocations waiting for a free slot
 * @param overflow {@code reject-new} or {@code drop-oldest} when that queue is full
 * @param environment entries added to (or replacing those of) the descriptor's {@code environment}:
 *     {@code Context.config()} for Java handlers, environment variables for process children
 */
public record FunctionOverrides(
    Long timeoutMillis,
    Integer maxConcurrency,
    Integer maxQueued,
    OverflowPolicy overflow,
    Map<String, String> environment) {

  /** No overrides. */
  public static final FunctionOverrides NONE = new FunctionOverrides(null, null, null, null, null);

  /** Validates; throws {@code IllegalArgumentException("<key>: <why>")}. */
  public FunctionOverrides {
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    if (timeoutMillis != null && timeoutMillis <= 0) {
      throw new IllegalArgumentException("timeoutMillis: must be > 0, was " + timeoutMillis);
    }
    if (maxConcurrency != null && maxConcurrency < 1) {
      throw new IllegalArgumentException("maxConcurrency: must be >= 1, was " + maxConcurrency);
    }
    if (maxQueued != null && maxQueued < 0) {
      throw new IllegalArgumentException("maxQueued: must be >= 0, was " + maxQueued);
    }
  }
}
