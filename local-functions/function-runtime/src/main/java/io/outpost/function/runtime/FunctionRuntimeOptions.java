package io.outpost.function.runtime;

import io.outpost.function.runtime.logs.FunctionLogOptions;
import io.outpost.function.runtime.sandbox.Isolation;
import io.outpost.function.runtime.sandbox.LimitCaps;
import io.outpost.function.runtime.sandbox.SandboxMode;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.Map;

/**
 * Runtime-wide settings, the YAML {@code functions:} section. Every key is optional; absent keys
 * take the default named in its description. Descriptor values ({@code timeoutMillis}, {@code
 * maxConcurrency}, {@code maxQueued}, {@code overflow}) override the {@code default*} keys per
 * function.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code FunctionRuntimeOptionsBuilder.With} (the methods below add copies that take a {@link
 * Duration} or change several keys); every copy runs the constructor again, so it gets the same
 * defaults and checks.
 *
 * @param defaultTimeoutMillis invocation timeout when a descriptor sets none; default {@value
 *     #DEFAULT_TIMEOUT_MILLIS}
 * @param defaultMaxConcurrency invocations of one function running at once; default {@value
 *     #DEFAULT_MAX_CONCURRENCY}
 * @param defaultMaxQueued invocations of one function waiting for a free slot; default {@value
 *     #DEFAULT_MAX_QUEUED}
 * @param defaultOverflow what happens when that queue is full: {@code reject-new} (the new
 *     invocation fails with outcome OVERFLOW) or {@code drop-oldest} (the oldest queued one does);
 *     default {@code reject-new}
 * @param brokenThreshold consecutive failed invocations (errors, timeouts, process crashes) after
 *     which a function is BROKEN and rejects invocations for a back-off period; default {@value
 *     #DEFAULT_BROKEN_THRESHOLD}
 * @param brokenBackoffMillis first BROKEN period; it doubles on every failed retry up to {@code
 *     brokenBackoffMaxMillis}; default {@value #DEFAULT_BROKEN_BACKOFF_MILLIS}
 * @param brokenBackoffMaxMillis longest BROKEN period; default {@value
 *     #DEFAULT_BROKEN_BACKOFF_MAX_MILLIS}
 * @param restartBackoffMillis first delay before restarting a dead {@code process} function;
 *     doubles per consecutive crash; default {@value #DEFAULT_RESTART_BACKOFF_MILLIS}
 * @param restartBackoffMaxMillis longest restart delay; default {@value
 *     #DEFAULT_RESTART_BACKOFF_MAX_MILLIS}
 * @param maxAbandonedThreads Java handler threads that ignored a timeout's interrupt and are still
 *     stuck; when a function exceeds this it is BROKEN until redeployed; default {@value
 *     #DEFAULT_MAX_ABANDONED_THREADS}
 * @param maxOutputsPerInvocation messages one invocation may return or publish; more fails it with
 *     outcome ERROR; default {@value #DEFAULT_MAX_OUTPUTS_PER_INVOCATION}
 * @param maxProcessLineBytes longest line a {@code process} function may write to stdout; a longer
 *     one kills the child as a protocol violation; default {@value #DEFAULT_MAX_PROCESS_LINE_BYTES}
 * @param retainedVersions versions kept on disk per function (the active one plus rollback
 *     targets); default {@value #DEFAULT_RETAINED_VERSIONS}
 * @param drainTimeoutMillis how long a replaced or removed version may take to finish queued and
 *     in-flight invocations before they are cancelled; default {@value
 *     #DEFAULT_DRAIN_TIMEOUT_MILLIS}
 * @param overrides per-function settings by function name ({@link FunctionOverrides}), winning over
 *     descriptors; an entry for a function that is not deployed applies when it is; default none
 * @param defaultIdleTimeoutMillis how long an on-demand function may go without invocations before
 *     it is scaled to zero (state IDLE) when its descriptor sets no {@code idleTimeoutMillis}; 0 =
 *     never; default {@value #DEFAULT_IDLE_TIMEOUT_MILLIS}
 * @param wasm memory bounds of {@code wasm} functions ({@link WasmOptions}); defaults as documented
 *     there
 * @param limits caps on what one function's {@code limits:} may ask for ({@link LimitCaps}); a
 *     package asking for more is refused at deploy; defaults as documented there
 * @param sandbox how function processes are held to their limits: {@code auto} (default: cgroup v2,
 *     else cgroup v1, else rlimit), {@code cgroup-v2}, {@code cgroup-v1} (the start fails when
 *     unavailable) or {@code rlimit}; read at start
 * @param defaultIsolation where a Java function runs when its descriptor sets no {@code isolation}:
 *     {@code process} (default; a child JVM) or {@code in-process}
 * @param childJvmStartMillis how long a Java function's child JVM may take to start and load its
 *     handler before the deploy (or the invocation that restarts it) fails; default {@value
 *     #DEFAULT_CHILD_JVM_START_MILLIS}
 * @param deployProbeMillis how long a deploy, rollback or activation watches a process function's
 *     new program before it takes traffic: a program that exits within this time (it cannot start,
 *     or would crash-loop) fails the switch and the previous version keeps running; 0 = do not
 *     watch; default {@value #DEFAULT_DEPLOY_PROBE_MILLIS}
 * @param logs bounds of the per-function logs ({@link FunctionLogOptions}); defaults as documented
 *     there; read at start
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record FunctionRuntimeOptions(
    Long defaultTimeoutMillis,
    Integer defaultMaxConcurrency,
    Integer defaultMaxQueued,
    OverflowPolicy defaultOverflow,
    Integer brokenThreshold,
    Long brokenBackoffMillis,
    Long brokenBackoffMaxMillis,
    Long restartBackoffMillis,
    Long restartBackoffMaxMillis,
    Integer maxAbandonedThreads,
    Integer maxOutputsPerInvocation,
    Integer maxProcessLineBytes,
    Integer retainedVersions,
    Long drainTimeoutMillis,
    Map<String, FunctionOverrides> overrides,
    Long defaultIdleTimeoutMillis,
    WasmOptions wasm,
    LimitCaps limits,
    SandboxMode sandbox,
    Isolation defaultIsolation,
    Long childJvmStartMillis,
    Long deployProbeMillis,
    FunctionLogOptions logs)
    implements FunctionRuntimeOptionsBuilder.With {

  public static final long DEFAULT_TIMEOUT_MILLIS = 3_000;
  public static final int DEFAULT_MAX_CONCURRENCY = 1;
  public static final int DEFAULT_MAX_QUEUED = 1_000;
  public static final int DEFAULT_BROKEN_THRESHOLD = 5;
  public static final long DEFAULT_BROKEN_BACKOFF_MILLIS = 10_000;
  public static final long DEFAULT_BROKEN_BACKOFF_MAX_MILLIS = 300_000;
  public static final long DEFAULT_RESTART_BACKOFF_MILLIS = 500;
  public static final long DEFAULT_RESTART_BACKOFF_MAX_MILLIS = 30_000;
  public static final int DEFAULT_MAX_ABANDONED_THREADS = 4;
  public static final int DEFAULT_MAX_OUTPUTS_PER_INVOCATION = 100;
  public static final int DEFAULT_MAX_PROCESS_LINE_BYTES = 1 << 20;
  public static final int DEFAULT_RETAINED_VERSIONS = 3;
  public static final long DEFAULT_DRAIN_TIMEOUT_MILLIS = 10_000;
  public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 0;
  public static final long DEFAULT_CHILD_JVM_START_MILLIS = 30_000;
  public static final long DEFAULT_DEPLOY_PROBE_MILLIS = 1_000;

  /** Fills defaults and validates; throws {@code IllegalArgumentException("<key>: <why>")}. */
  public FunctionRuntimeOptions {
    defaultTimeoutMillis =
        positive("defaultTimeoutMillis", defaultTimeoutMillis, DEFAULT_TIMEOUT_MILLIS);
    defaultMaxConcurrency =
        positive("defaultMaxConcurrency", defaultMaxConcurrency, DEFAULT_MAX_CONCURRENCY);
    defaultMaxQueued = atLeast("defaultMaxQueued", defaultMaxQueued, DEFAULT_MAX_QUEUED, 0);
    defaultOverflow = defaultOverflow == null ? OverflowPolicy.REJECT_NEW : defaultOverflow;
    brokenThreshold = positive("brokenThreshold", brokenThreshold, DEFAULT_BROKEN_THRESHOLD);
    brokenBackoffMillis =
        positive("brokenBackoffMillis", brokenBackoffMillis, DEFAULT_BROKEN_BACKOFF_MILLIS);
    brokenBackoffMaxMillis =
        positive(
            "brokenBackoffMaxMillis",
            brokenBackoffMaxMillis,
            Math.max(DEFAULT_BROKEN_BACKOFF_MAX_MILLIS, brokenBackoffMillis));
    restartBackoffMillis =
        positive("restartBackoffMillis", restartBackoffMillis, DEFAULT_RESTART_BACKOFF_MILLIS);
    restartBackoffMaxMillis =
        positive(
            "restartBackoffMaxMillis",
            restartBackoffMaxMillis,
            Math.max(DEFAULT_RESTART_BACKOFF_MAX_MILLIS, restartBackoffMillis));
    maxAbandonedThreads =
        atLeast("maxAbandonedThreads", maxAbandonedThreads, DEFAULT_MAX_ABANDONED_THREADS, 0);
    maxOutputsPerInvocation =
        atLeast(
            "maxOutputsPerInvocation",
            maxOutputsPerInvocation,
            DEFAULT_MAX_OUTPUTS_PER_INVOCATION,
            0);
    maxProcessLineBytes =
        atLeast("maxProcessLineBytes", maxProcessLineBytes, DEFAULT_MAX_PROCESS_LINE_BYTES, 1024);
    retainedVersions = atLeast("retainedVersions", retainedVersions, DEFAULT_RETAINED_VERSIONS, 1);
    drainTimeoutMillis =
        positive("drainTimeoutMillis", drainTimeoutMillis, DEFAULT_DRAIN_TIMEOUT_MILLIS);
    overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
    defaultIdleTimeoutMillis =
        defaultIdleTimeoutMillis == null ? DEFAULT_IDLE_TIMEOUT_MILLIS : defaultIdleTimeoutMillis;
    if (defaultIdleTimeoutMillis < 0) {
      throw new IllegalArgumentException(
          "defaultIdleTimeoutMillis: must be >= 0 (0 = never), was " + defaultIdleTimeoutMillis);
    }
    wasm = wasm == null ? WasmOptions.DEFAULTS : wasm;
    limits = limits == null ? LimitCaps.DEFAULTS : limits;
    sandbox = sandbox == null ? SandboxMode.AUTO : sandbox;
    defaultIsolation = defaultIsolation == null ? Isolation.PROCESS : defaultIsolation;
    childJvmStartMillis =
        positive("childJvmStartMillis", childJvmStartMillis, DEFAULT_CHILD_JVM_START_MILLIS);
    deployProbeMillis = deployProbeMillis == null ? DEFAULT_DEPLOY_PROBE_MILLIS : deployProbeMillis;
    if (deployProbeMillis < 0) {
      throw new IllegalArgumentException(
          "deployProbeMillis: must be >= 0 (0 = do not watch), was " + deployProbeMillis);
    }
    logs = logs == null ? FunctionLogOptions.DEFAULTS : logs;
    for (Map.Entry<String, FunctionOverrides> e : overrides.entrySet()) {
      if (e.getValue() == null) {
        throw new IllegalArgumentException(
            "overrides." + e.getKey() + ": must be a map of settings");
      }
    }
    if (brokenBackoffMaxMillis < brokenBackoffMillis) {
      throw new IllegalArgumentException("brokenBackoffMaxMillis: must be >= brokenBackoffMillis");
    }
    if (restartBackoffMaxMillis < restartBackoffMillis) {
      throw new IllegalArgumentException(
          "restartBackoffMaxMillis: must be >= restartBackoffMillis");
    }
  }

  /** All defaults. */
  public static FunctionRuntimeOptions defaults() {
    return new FunctionRuntimeOptions(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null);
  }

  /** A copy with another default timeout. */
  public FunctionRuntimeOptions withDefaultTimeout(Duration timeout) {
    return withDefaultTimeoutMillis(timeout.toMillis());
  }

  /**
   * A copy with another BROKEN threshold and first back-off; the longest back-off rises to the
   * first if it was shorter.
   */
  public FunctionRuntimeOptions withBroken(int threshold, Duration backoff) {
    return with(
        b ->
            b.brokenThreshold(threshold)
                .brokenBackoffMillis(backoff.toMillis())
                .brokenBackoffMaxMillis(Math.max(brokenBackoffMaxMillis, backoff.toMillis())));
  }

  /**
   * A copy with another first restart back-off for process functions; the longest restart delay
   * rises to it if it was shorter.
   */
  public FunctionRuntimeOptions withRestartBackoff(Duration backoff) {
    return with(
        b ->
            b.restartBackoffMillis(backoff.toMillis())
                .restartBackoffMaxMillis(Math.max(restartBackoffMaxMillis, backoff.toMillis())));
  }

  /** A copy with another default idle time before on-demand functions scale to zero (0 = never). */
  public FunctionRuntimeOptions withDefaultIdleTimeout(Duration idle) {
    return withDefaultIdleTimeoutMillis(idle.toMillis());
  }

  /** The overrides for {@code function}, or {@link FunctionOverrides#NONE}. */
  public FunctionOverrides overridesFor(String function) {
    return overrides.getOrDefault(function, FunctionOverrides.NONE);
  }

  /**
   * Whether the settings a running version of a {@code runtime} function captures when it starts
   * (BROKEN detection; restart back-off and line limit of process children) equal {@code other}'s.
   * When they do not, the version has to be restarted to apply them.
   */
  public boolean sameStartSettings(FunctionRuntimeOptions other, RuntimeKind runtime) {
    boolean broken =
        brokenThreshold.equals(other.brokenThreshold)
            && brokenBackoffMillis.equals(other.brokenBackoffMillis)
            && brokenBackoffMaxMillis.equals(other.brokenBackoffMaxMillis);
    boolean process =
        runtime != RuntimeKind.PROCESS
            || (restartBackoffMillis.equals(other.restartBackoffMillis)
                && restartBackoffMaxMillis.equals(other.restartBackoffMaxMillis)
                && maxProcessLineBytes.equals(other.maxProcessLineBytes));
    return broken && process; // idle time and wasm pages are part of the resolved spec
  }

  Duration defaultTimeout() {
    return Duration.ofMillis(defaultTimeoutMillis);
  }

  private static long positive(String key, Long value, long fallback) {
    if (value == null) {
      return fallback;
    }
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": must be > 0, was " + value);
    }
    return value;
  }

  private static int positive(String key, Integer value, int fallback) {
    return atLeast(key, value, fallback, 1);
  }

  private static int atLeast(String key, Integer value, int fallback, int min) {
    if (value == null) {
      return fallback;
    }
    if (value < min) {
      throw new IllegalArgumentException(key + ": must be >= " + min + ", was " + value);
    }
    return value;
  }
}
