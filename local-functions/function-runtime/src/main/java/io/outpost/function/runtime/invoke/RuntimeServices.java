package io.outpost.function.runtime.invoke;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.logs.FunctionLogStore;
import io.outpost.function.runtime.sandbox.LimitHits;
import io.outpost.function.runtime.sandbox.Sandbox;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every deployed version shares: the settings in force (replaced on {@link
 * FunctionRuntime#reconfigure}), the injected clock, the runtime's named scheduler thread, the
 * sandbox that holds child processes to their limits and the limit-hit counter. Code that reads
 * {@link #options()} when it needs a value sees a reload at once; values captured when a version
 * starts change only when the version is restarted.
 */
public final class RuntimeServices {

  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final MeterRegistry registry;
  private final LimitHits limitHits;
  private final StrandedThreads strandedThreads;
  private final FunctionLogStore logs;
  private volatile FunctionRuntimeOptions options;
  private volatile Sandbox sandbox;

  public RuntimeServices(
      FunctionRuntimeOptions options,
      Clock clock,
      ScheduledExecutorService scheduler,
      MeterRegistry registry) {
    this(options, clock, scheduler, registry, FunctionLogStore.discarding());
  }

  /**
   * @param logs where functions' log lines and runtime events about them are kept
   */
  public RuntimeServices(
      FunctionRuntimeOptions options,
      Clock clock,
      ScheduledExecutorService scheduler,
      MeterRegistry registry,
      FunctionLogStore logs) {
    this.options = Objects.requireNonNull(options, "options");
    this.clock = clock;
    this.scheduler = scheduler;
    this.registry = registry;
    this.logs = Objects.requireNonNull(logs, "logs");
    this.limitHits = new LimitHits(registry, logs);
    this.strandedThreads = new StrandedThreads(registry);
  }

  /**
   * Opens the sandbox in the configured mode ({@code functions.sandbox}); once, when the runtime
   * starts.
   */
  public synchronized Sandbox openSandbox() {
    if (sandbox == null) {
      sandbox = Sandbox.open(options.sandbox());
    }
    return sandbox;
  }

  /** Kills what is still confined and removes the sandbox's cgroups; when the runtime stops. */
  public synchronized void closeSandbox() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  /** The sandbox in force, opened on first use. */
  public Sandbox sandbox() {
    Sandbox s = sandbox;
    return s != null ? s : openSandbox();
  }

  /** The sandbox if it was opened. */
  public java.util.Optional<Sandbox> openedSandbox() {
    return java.util.Optional.ofNullable(sandbox);
  }

  /** Handler threads that outlived their version. */
  public StrandedThreads strandedThreads() {
    return strandedThreads;
  }

  /** Every function's log. */
  public FunctionLogStore logs() {
    return logs;
  }

  /** Where limit hits are logged and counted. */
  public LimitHits limitHits() {
    return limitHits;
  }

  public FunctionRuntimeOptions options() {
    return options;
  }

  public void options(FunctionRuntimeOptions next) {
    this.options = Objects.requireNonNull(next, "options");
  }

  public Clock clock() {
    return clock;
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  public MeterRegistry registry() {
    return registry;
  }
}
