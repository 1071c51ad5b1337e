package io.outpost.function.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.deploy.Deployer;
import io.outpost.function.runtime.deploy.Reconfigurer;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.FunctionSlot;
import io.outpost.function.runtime.invoke.FunctionThreads;
import io.outpost.function.runtime.invoke.Invocation;
import io.outpost.function.runtime.invoke.RuntimeServices;
import io.outpost.function.runtime.invoke.StrandedThreads;
import io.outpost.function.runtime.logs.FunctionLogStore;
import io.outpost.function.runtime.sandbox.Sandbox;
import io.outpost.function.runtime.sandbox.SandboxMode;
import io.outpost.function.runtime.schedule.FunctionScheduler;
import io.outpost.function.runtime.schedule.ScheduleTimer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local functions: deploys, isolates, invokes and retires function versions, without restarting the
 * daemon.
 *
 * <p>Scheduled triggers ({@code schedule} and {@code every} in a descriptor) are the runtime's own:
 * it arms them on deploy, rollback, reload and start, cancels them on remove, and fires them
 * through {@link #invoke} like any other message; {@link FunctionInfo#schedule()} shows the next
 * run.
 *
 * <p>The daemon owns topic matching: it listens for changes ({@link #addListener}), subscribes each
 * function's {@link FunctionInfo#triggers()} and calls {@link #invoke} for matching messages.
 * Outputs and error records go back through the {@link FunctionHost}. Admin endpoints and the CLI
 * map 1:1 onto {@link #deploy}, {@link #list}, {@link #rollback}, {@link #remove} and {@link
 * #invoke}.
 *
 * <p>Threads: {@code invoke} never blocks (it only enqueues); handlers run on per-function named
 * worker threads; {@code deploy}, {@code rollback} and {@code remove} do file I/O and wait for the
 * old version to drain, so call them from a worker thread, never from an event loop. {@code start}
 * and {@code stop} run on their own thread.
 */
public final class FunctionRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionRuntime.class);
  private static final String UNKNOWN_FUNCTION_TAG = "_unknown";

  /** The directory beside {@code functionsDir} that holds each function's log. */
  public static final String LOGS_DIR = "function-logs";

  private enum Phase {
    NEW,
    RUNNING,
    STOPPED
  }

  private final Object adminLock = new Object();
  private final ScheduledThreadPoolExecutor scheduler;
  private final ScheduledThreadPoolExecutor scheduleThread;
  private final FunctionScheduler schedules;
  private final ExecutorService lifecycle;
  private final Deployer deployer;
  private final Reconfigurer reconfigurer;
  private final List<Consumer<FunctionInfo>> listeners = new CopyOnWriteArrayList<>();
  private final Counter notFound;
  private final FunctionLogStore logs;
  private volatile Phase phase = Phase.NEW;
  private CompletableFuture<Void> started;
  private CompletableFuture<Void> stopped;

  /**
   * @param options runtime settings (YAML {@code functions:})
   * @param functionsDir where deployed packages persist, normally {@code <storage dir>/functions};
   *     each function's log is kept beside it, in {@code function-logs/<name>/}
   * @param host publishes outputs and error records into the local broker
   * @param registry metrics
   * @param clock time source for receive/error timestamps and BROKEN back-off
   */
  public FunctionRuntime(
      FunctionRuntimeOptions options,
      Path functionsDir,
      FunctionHost host,
      MeterRegistry registry,
      Clock clock) {
    this(options, functionsDir, host, registry, clock, null);
  }

  /**
   * As above, with the timer that fires scheduled functions (tests advance one by hand); null: a
   * dedicated named thread.
   */
  FunctionRuntime(
      FunctionRuntimeOptions options,
      Path functionsDir,
      FunctionHost host,
      MeterRegistry registry,
      Clock clock,
      ScheduleTimer timer) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(functionsDir, "functionsDir");
    Objects.requireNonNull(host, "host");
    this.scheduler =
        new ScheduledThreadPoolExecutor(1, new FunctionThreads("outpost-fn-scheduler", false));
    scheduler.setRemoveOnCancelPolicy(true);
    this.lifecycle =
        Executors.newSingleThreadExecutor(new FunctionThreads("outpost-fn-lifecycle", false));
    this.logs =
        new FunctionLogStore(
            functionsDir.resolveSibling(LOGS_DIR), options.logs(), registry, clock);
    RuntimeServices services = new RuntimeServices(options, clock, scheduler, registry, logs);
    this.deployer = new Deployer(functionsDir, services, host, this::changed);
    this.reconfigurer = new Reconfigurer(deployer);
    this.scheduleThread =
        timer != null
            ? null
            : new ScheduledThreadPoolExecutor(1, new FunctionThreads("outpost-fn-schedule", false));
    if (scheduleThread != null) {
      scheduleThread.setRemoveOnCancelPolicy(true);
    }
    this.schedules =
        new FunctionScheduler(
            clock,
            timer != null ? timer : ScheduleTimer.of(scheduleThread),
            functionsDir.resolve(".schedule"),
            registry,
            this::invoke,
            (function, level, message) ->
                logs.append(function, level, LogSource.RUNTIME, null, message));
    this.notFound =
        Counter.builder("outpost.function.invocations")
            .tag("function", UNKNOWN_FUNCTION_TAG)
            .tag("outcome", Outcome.NOT_FOUND.tag())
            .description("Function invocations by outcome")
            .register(registry);
  }

  /** Loads every persisted function (newest version of each). Idempotent. */
  public CompletionStage<Void> start() {
    synchronized (adminLock) {
      if (started == null) {
        started =
            CompletableFuture.runAsync(
                () -> {
                  synchronized (adminLock) {
                    try {
                      LOG.info("function sandbox: {}", deployer.services.openSandbox().describe());
                      deployer.loadAll();
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException("cannot read deployed functions", e);
                    }
                    phase = Phase.RUNNING;
                    logs.start(); // not before: a start that fails leaves no thread behind
                    deployer.slots.keySet().forEach(this::rearm);
                  }
                  deployer.slots.values().forEach(this::changed);
                },
                lifecycle);
      }
      return started;
    }
  }

  /**
   * Validates, persists and activates a package (a JAR or a directory with {@code
   * outpost-function.yaml}). The previous version is kept for {@link #rollback}; invocations
   * already queued or running finish on it first.
   *
   * @throws FunctionDeploymentException when the package or descriptor is invalid (nothing changes
   *     then)
   */
  public FunctionInfo deploy(Path jarOrDir) {
    synchronized (adminLock) {
      requireRunning();
      FunctionSlot slot = deployer.deploy(jarOrDir);
      rearm(slot.name);
      FunctionInfo info = withSchedule(slot.info(null));
      notifyListeners(info);
      return info;
    }
  }

  /** Every deployed function, by name. */
  public List<FunctionInfo> list() {
    List<FunctionInfo> all = new ArrayList<>(deployer.failedAtStart.values());
    for (FunctionSlot slot : deployer.slots.values()) {
      if (slot.current() != null) { // null only while its first version is still loading
        all.add(withSchedule(slot.info(phase == Phase.STOPPED ? FunctionState.STOPPED : null)));
      }
    }
    all.sort(Comparator.comparing(FunctionInfo::name));
    return all;
  }

  /** One function, if deployed. */
  public Optional<FunctionInfo> get(String name) {
    return list().stream().filter(i -> i.name().equals(name)).findFirst();
  }

  /**
   * Stops (after draining) and deletes a function with all its versions.
   *
   * @return false if no such function was deployed
   */
  public boolean remove(String name) {
    synchronized (adminLock) {
      requireRunning();
      schedules.remove(name);
      FunctionInfo removed = deployer.remove(name);
      if (removed != null) {
        logs.delete(name); // after the lines its last version logged while stopping
        notifyListeners(removed);
      }
      return removed != null;
    }
  }

  /**
   * Re-activates the version before the active one; the newer version stays kept, so {@link
   * #activate} can roll forward again.
   *
   * @throws FunctionDeploymentException if the function is unknown ({@code NOT_FOUND}) or has no
   *     older version ({@code NOTHING_TO_DO}); nothing changes then
   */
  public FunctionInfo rollback(String name) {
    synchronized (adminLock) {
      requireRunning();
      FunctionSlot slot = deployer.rollback(name);
      rearm(name);
      FunctionInfo info = withSchedule(slot.info(null));
      notifyListeners(info);
      return info;
    }
  }

  /**
   * Makes a kept version active, older or newer than the current one (drain-then-switch, as a
   * deploy). A process function's program is watched as at deploy; one that cannot run leaves the
   * current version active.
   *
   * @throws FunctionDeploymentException if the function or version is unknown ({@code NOT_FOUND})
   *     or the version cannot start ({@code BAD_PACKAGE})
   */
  public FunctionInfo activate(String name, String version) {
    synchronized (adminLock) {
      requireRunning();
      FunctionInfo info = deployer.activate(name, version).info(null);
      notifyListeners(info);
      return info;
    }
  }

  /**
   * Applies new runtime settings (a configuration reload of {@code functions:}) without dropping
   * anything: functions whose effective settings change are restarted drain-then-switch
   * (invocations already queued or running finish under the old settings, new ones run under the
   * new settings); the others keep running untouched. Restarting a function re-creates pinned
   * handlers and process children and clears its BROKEN/ERRORED state, like a redeploy. Blocks
   * while old instances drain (at most {@code drainTimeoutMillis}); call it from a worker thread.
   *
   * @return which functions were restarted, and which could not start under the new settings (they
   *     keep the old)
   * @throws IllegalArgumentException ("functions.overrides.&lt;name&gt;.&lt;key&gt;: why") when
   *     {@code next} does not fit a deployed function; nothing changes then
   * @throws IllegalStateException when the runtime is not running
   */
  public FunctionReconfiguration reconfigure(FunctionRuntimeOptions next) {
    Objects.requireNonNull(next, "next");
    synchronized (adminLock) {
      requireRunning();
      FunctionReconfiguration result = reconfigurer.apply(next);
      for (String name : result.restarted()) {
        FunctionSlot slot = deployer.slots.get(name);
        if (slot != null) {
          rearm(name);
          notifyListeners(slot.info(null));
        }
      }
      return result;
    }
  }

  /** The settings in force: those given at construction or by the last {@link #reconfigure}. */
  public FunctionRuntimeOptions options() {
    return deployer.services.options();
  }

  /**
   * Registers a listener called after every deploy, rollback, remove (state REMOVED) and state
   * change. Called on the thread that caused the change; it must be quick and must not call back
   * into deploy/remove/rollback.
   */
  public void addListener(Consumer<FunctionInfo> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Queues one invocation. Never throws and never blocks: overflow, timeout, handler errors, a
   * BROKEN or unknown function are all reported as the result's {@link Outcome}.
   */
  public CompletionStage<InvocationResult> invoke(String name, InboundMessage message) {
    try {
      if (phase != Phase.RUNNING) {
        return CompletableFuture.completedFuture(
            InvocationResult.failed(
                name, null, Outcome.STOPPED, "function runtime is not running"));
      }
      Invocation inv = new Invocation(message);
      for (int attempt = 0; attempt < 3; attempt++) {
        FunctionSlot slot = deployer.slots.get(name);
        FunctionInstance instance = slot == null ? null : slot.current();
        if (instance == null) {
          notFound.increment();
          return CompletableFuture.completedFuture(
              InvocationResult.failed(name, null, Outcome.NOT_FOUND, "no function named " + name));
        }
        if (instance.submit(inv)) {
          return inv.result;
        }
        // the version was switched under us: retry on the new one
      }
      return CompletableFuture.completedFuture(
          InvocationResult.failed(
              name, null, Outcome.STOPPED, "function is being replaced or removed"));
    } catch (RuntimeException e) {
      LOG.error("invoke {} failed unexpectedly", name, e);
      return CompletableFuture.completedFuture(
          InvocationResult.failed(name, null, Outcome.ERROR, FunctionInstance.describe(e)));
    }
  }

  /**
   * Drains and stops every function, kills child processes, stops all runtime threads. Idempotent.
   */
  public CompletionStage<Void> stop() {
    synchronized (adminLock) {
      if (stopped != null) {
        return stopped;
      }
      stopped = new CompletableFuture<>();
      Thread stopper =
          new Thread(
              () -> {
                try {
                  schedules.close();
                  synchronized (adminLock) {
                    phase = Phase.STOPPED;
                    deployer.stopAll();
                    deployer.services.closeSandbox();
                    logs.close();
                  }
                  scheduler.shutdownNow();
                  lifecycle.shutdownNow();
                  if (scheduleThread != null) {
                    scheduleThread.shutdownNow();
                  }
                  if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)
                      || !lifecycle.awaitTermination(5, TimeUnit.SECONDS)
                      || (scheduleThread != null
                          && !scheduleThread.awaitTermination(5, TimeUnit.SECONDS))) {
                    LOG.warn("function runtime threads did not stop in time");
                  }
                  stopped.complete(null);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  stopped.completeExceptionally(e);
                } catch (RuntimeException e) {
                  stopped.completeExceptionally(e);
                }
              },
              "outpost-fn-stop");
      stopper.start();
      return stopped;
    }
  }

  /**
   * How function processes are held to their limits ({@code cgroup-v2}, {@code cgroup-v1} or {@code
   * rlimit}), for status; {@code auto} until the runtime started.
   */
  public SandboxMode sandboxMode() {
    return deployer.services.openedSandbox().map(Sandbox::mode).orElse(SandboxMode.AUTO);
  }

  /**
   * Handler threads of in-process Java functions that ignored a timeout and outlived their version
   * (removed or redeployed), until they end; only a daemon restart frees them.
   */
  public List<StrandedThreads.Entry> strandedThreads() {
    return deployer.services.strandedThreads().list();
  }

  /**
   * Every function's own log: handler lines, process output and runtime events, to read and follow
   * (the admin API's {@code /api/functions/<name>/logs}).
   */
  public FunctionLogs logs() {
    return logs;
  }

  /** {@link #stop()} and wait. */
  @Override
  public void close() {
    stop().toCompletableFuture().join();
  }

  private void requireRunning() {
    if (phase != Phase.RUNNING) {
      throw new IllegalStateException(
          "function runtime is "
              + phase.name().toLowerCase(java.util.Locale.ROOT)
              + "; call start() first");
    }
  }

  /** Arms, re-arms or cancels a function's schedule from its active version's descriptor. */
  private void rearm(String name) {
    FunctionSlot slot = deployer.slots.get(name);
    FunctionInstance current = slot == null ? null : slot.current();
    try {
      if (current == null) {
        schedules.arm(name, null, false);
      } else {
        FunctionDescriptor d = current.spec().descriptor();
        schedules.arm(name, d.timing(), d.catchesUp());
      }
    } catch (RuntimeException e) {
      LOG.error("function {}: cannot arm its schedule", name, e);
    }
  }

  private FunctionInfo withSchedule(FunctionInfo info) {
    return schedules.status(info.name()).map(info::withSchedule).orElse(info);
  }

  private void changed(FunctionSlot slot) {
    if (slot != null && slot.current() != null && phase == Phase.RUNNING) {
      notifyListeners(slot.info(null));
    }
  }

  private void notifyListeners(FunctionInfo info) {
    if (info.state() != FunctionState.REMOVED) {
      rearm(info.name()); // whatever switched the version, its schedule follows (idempotent)
    }
    for (Consumer<FunctionInfo> l : listeners) {
      try {
        l.accept(info);
      } catch (RuntimeException e) {
        LOG.error("function listener failed for {}", info.name(), e);
      }
    }
  }
}
