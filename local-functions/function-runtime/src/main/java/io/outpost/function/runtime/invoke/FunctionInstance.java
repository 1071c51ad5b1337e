package io.outpost.function.runtime.invoke;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outpost.function.FunctionLogger;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import io.outpost.function.runtime.FunctionState;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.Messages;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.Outcome;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.sandbox.LimitKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * One deployed version of a function: its invoker, its bounded queue and workers ({@link
 * WorkerPool}) and its BROKEN detection (a Resilience4j circuit breaker over consecutive failures,
 * see {@link BrokenDetector}). Invocations may be queued before {@link #startWorkers()} so a new
 * version can take traffic while the old one drains.
 */
public final class FunctionInstance {

  /**
   * How long close() waits for interrupted handler threads; stuck ones are daemon threads and are
   * abandoned.
   */
  private static final long THREAD_JOIN_MILLIS = 2_000;

  private final FunctionPackage pkg;
  private final FunctionSpec spec;
  private final FunctionSlot slot;
  private final RuntimeServices services;
  private final ObjectMapper mapper = Messages.newMapper();
  private final org.slf4j.Logger slf4j;
  private final FunctionLogger logger;
  private final CircuitBreaker breaker;
  private final FailureRecorder failures;
  private final long timeoutNanos;
  private final Invoker invoker;
  private final WorkerPool pool;
  private volatile boolean lastFailed;
  private final IdleScaler idle;

  public FunctionInstance(
      FunctionPackage pkg,
      FunctionSpec spec,
      FunctionSlot slot,
      RuntimeServices services,
      Invoker.Factory invokers) {
    this.pkg = pkg;
    this.spec = spec;
    this.slot = slot;
    this.services = services;
    this.slf4j = LoggerFactory.getLogger("outpost.function." + spec.name());
    this.logger =
        new Slf4jFunctionLogger(slf4j, spec.name(), services.logs(), LogSource.RUNTIME, null);
    this.breaker =
        BrokenDetector.create(spec, services.options(), services.clock(), slot::stateChanged);
    this.failures = new FailureRecorder(breaker);
    this.timeoutNanos = spec.timeout().toNanos();
    this.invoker = invokers.create(pkg, this, services);
    this.pool = new WorkerPool(this, spec, services.scheduler());
    this.idle = new IdleScaler(this, invoker, services);
  }

  /** Loads the handler or spawns the pinned child; throws when the package is unusable. */
  public void load() throws Exception {
    invoker.start();
  }

  /** Watches a freshly loaded version for {@code millis} before it takes traffic (deploys). */
  public void probe(long millis) throws Exception {
    invoker.probe(millis);
  }

  public void startWorkers() {
    pool.start();
    idle.start();
  }

  /**
   * Queues an invocation (see {@link WorkerPool#submit}); false when this version is being
   * replaced.
   */
  public boolean submit(Invocation invocation) {
    return pool.submit(invocation);
  }

  /** Stops accepting; completes when queued and running invocations are done. */
  public CompletableFuture<Void> drain() {
    return pool.drain();
  }

  /**
   * Fails whatever is left with STOPPED, releases threads, class loader and child process.
   * Idempotent.
   */
  public void close() {
    idle.stop();
    pool.close();
    invoker.close();
    pool.awaitThreads(THREAD_JOIN_MILLIS);
    services.strandedThreads().adopt(spec.name(), spec.version(), pool.aliveThreads());
    event("INFO", null, "version " + spec.version() + " stopped");
  }

  /** Whether the invoker can ever start invocations on the submitting thread. */
  boolean canStartNow() {
    return invoker.startsNow();
  }

  /** Not scaled to zero: {@link #startNow} may start an invocation (a worker wakes it up). */
  boolean awake() {
    return !idle.isIdle();
  }

  /**
   * Starts {@code inv} on the submitting thread when the invoker can without blocking it, the
   * function is healthy (its breaker closed) and not scaled to zero; then no worker waits for it
   * (see {@link WorkerPool}).
   *
   * @return false when it must wait for a worker as usual
   */
  boolean startNow(Invocation inv) {
    if (breaker.getState() != CircuitBreaker.State.CLOSED || !breaker.tryAcquirePermission()) {
      return false; // closed grants every call: nothing was taken from a half-open quota
    }
    if (!idle.tryBeginUse()) {
      return false;
    }
    inv.arm(System.nanoTime(), timeoutNanos);
    boolean started = false;
    try {
      started = invoker.startNow(inv, new InvocationContext(this, inv, true));
    } finally {
      if (!started) {
        idle.endUse();
      }
    }
    if (started) {
      inv.running();
    }
    return started;
  }

  /** An invocation started on the submitting thread was reported: its slot is free. */
  void startedDone(Invocation inv) {
    if (pool.startedDone(inv)) {
      idle.endUse();
    }
  }

  /**
   * Runs one invocation on the calling worker thread; reports exactly one outcome unless the
   * watchdog did.
   */
  void execute(Invocation inv, WorkerPool.Worker worker) {
    invoker.awaitRestart();
    if (!inv.start(System.nanoTime(), timeoutNanos)) {
      return;
    }
    if (!breaker.tryAcquirePermission()) {
      if (inv.finish()) {
        slot.completed(
            this, inv, Outcome.BROKEN, List.of(), 0, "function is BROKEN after repeated failures");
      }
      return;
    }
    worker.watchdog.started(inv);
    InvocationContext ctx = new InvocationContext(this, inv);
    idle.beginUse();
    try {
      succeeded(inv, ctx, invoker.invoke(inv, ctx));
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      failed(inv, ctx, e);
    } finally {
      idle.endUse();
    }
  }

  /** Reports {@code inv} failed with what its handler or invoker threw, unless it was reported. */
  void failed(Invocation inv, InvocationContext ctx, Throwable e) {
    long took = System.nanoTime() - inv.startNanos();
    if (inv.finish()) {
      failures.error(took, e);
      markFailed(true);
      logger.warn("invocation on {} failed", inv.message.topic(), e);
      slot.completed(this, inv, Outcome.ERROR, ctx.published(), took, describe(e));
    } else if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Reports {@code inv} done with what its handler returned, unless it was reported already: by the
   * worker once {@link Invoker#invoke} returns, or earlier by an invoker that learns the result on
   * another thread ({@link InvocationContext#returned}).
   *
   * @throws IllegalStateException when the handler produced more than the outputs allowed (the
   *     worker reports that as the invocation's error)
   */
  void succeeded(Invocation inv, InvocationContext ctx, List<OutboundMessage> returned) {
    long took = System.nanoTime() - inv.startNanos();
    List<OutboundMessage> published = ctx.published();
    if (returned.size() + published.size() > maxOutputs()) {
      throw new IllegalStateException("handler produced more than " + maxOutputs() + " messages");
    }
    if (inv.finish()) {
      failures.success(took);
      returned.forEach(this::publishOutput);
      List<OutboundMessage> all = outputs(published, returned);
      markFailed(false);
      slot.completed(this, inv, Outcome.OK, all, took, null);
    }
  }

  /** Called by the worker's watchdog once {@code inv} ran past its deadline. */
  void timedOut(Invocation inv, WorkerPool.Worker worker) {
    if (timeOut(inv, () -> pool.retire(worker, inv))) {
      services.scheduler().schedule(this::checkAbandoned, 1, TimeUnit.SECONDS);
    }
  }

  /**
   * Called by the pool's timer once {@code inv}, started on the submitting thread, ran past its
   * deadline: as {@link #timedOut} without a worker to retire.
   */
  void startedTimedOut(Invocation inv) {
    timeOut(inv, () -> startedDone(inv));
  }

  /**
   * Ends {@code inv} with outcome TIMEOUT unless it ended already: counts it, lets the invoker stop
   * what runs it, then {@code release} frees what held it (its worker, its slot).
   *
   * @return false when it had ended already
   */
  private boolean timeOut(Invocation inv, Runnable release) {
    if (!inv.finish()) {
      return false;
    }
    try {
      failures.error(timeoutNanos, new TimeoutException("timed out"));
      markFailed(true);
      services
          .limitHits()
          .hit(
              spec.name(),
              LimitKind.TIMEOUT,
              "an invocation ran past its " + spec.timeout().toMillis() + " ms timeout");
      invoker.timedOut();
    } finally {
      release.run();
    }
    slot.completed(
        this,
        inv,
        Outcome.TIMEOUT,
        List.of(),
        timeoutNanos,
        "timed out after " + spec.timeout().toMillis() + " ms");
    return true;
  }

  private void checkAbandoned() {
    int stuck = pool.abandoned();
    if (stuck > services.options().maxAbandonedThreads()
        && breaker.getState() != CircuitBreaker.State.FORCED_OPEN) {
      logger.error(
          "{} handler threads ignore interrupts and are stuck; function is BROKEN until redeployed",
          stuck);
      slot.noteError(
          spec.name() + ": " + stuck + " stuck handler threads; BROKEN until redeployed");
      breaker.transitionToForcedOpenState();
    }
  }

  /**
   * A process child crashed outside an invocation: counts towards BROKEN like a failed invocation.
   */
  public void childCrashed(String reason) {
    failures.error(0, new IllegalStateException(reason));
    slot.noteError(reason);
    markFailed(true);
  }

  public boolean isBroken() {
    CircuitBreaker.State s = breaker.getState();
    return s == CircuitBreaker.State.OPEN || s == CircuitBreaker.State.FORCED_OPEN;
  }

  FunctionState state() {
    if (pool.isClosed()) {
      return FunctionState.STOPPED;
    }
    if (idle.isIdle()) {
      return FunctionState.IDLE;
    }
    return switch (breaker.getState()) {
      case OPEN, FORCED_OPEN -> FunctionState.BROKEN;
      case HALF_OPEN -> FunctionState.ERRORED;
      default -> lastFailed ? FunctionState.ERRORED : FunctionState.RUNNING;
    };
  }

  /** Returned after published, without copying when the handler produced nothing. */
  private static List<OutboundMessage> outputs(
      List<OutboundMessage> published, List<OutboundMessage> returned) {
    if (published.isEmpty()) {
      return returned;
    }
    if (returned.isEmpty()) {
      return published;
    }
    List<OutboundMessage> all = new ArrayList<>(published.size() + returned.size());
    all.addAll(published);
    all.addAll(returned);
    return all;
  }

  private void markFailed(boolean failed) {
    if (lastFailed != failed) {
      lastFailed = failed;
      slot.stateChanged();
    }
  }

  public Message messageView(InboundMessage message) {
    return new MessageView(message, mapper);
  }

  public OutboundMessage encode(Publication publication) {
    return Messages.encode(spec.name(), publication, mapper);
  }

  void publishOutput(OutboundMessage message) {
    slot.publish(message);
  }

  void reject(Invocation inv, Outcome outcome, String reason) {
    if (inv.finish()) {
      slot.completed(this, inv, outcome, List.of(), 0, reason);
    }
  }

  int maxOutputs() {
    return services.options().maxOutputsPerInvocation();
  }

  public FunctionSpec spec() {
    return spec;
  }

  /** The package this version runs from, to start it again under other settings. */
  public FunctionPackage pkg() {
    return pkg;
  }

  public FunctionLogger logger() {
    return logger;
  }

  /** The logger a handler sees during one invocation: its lines carry the invocation's id. */
  FunctionLogger handlerLogger(Invocation inv) {
    return new Slf4jFunctionLogger(slf4j, spec.name(), services.logs(), LogSource.HANDLER, inv.id);
  }

  /**
   * Keeps one line a function's process wrote (stderr, or stdout that is not protocol) in the
   * daemon's log and the function's own.
   *
   * @param invocationId the invocation it belongs to, null when not known
   */
  public void output(LogSource source, String level, String invocationId, String message) {
    if ("WARN".equals(level) || "ERROR".equals(level)) {
      slf4j.warn("[{}] {}", source.tag(), message);
    } else {
      slf4j.info("[{}] {}", source.tag(), message);
    }
    services.logs().append(spec.name(), level, source, invocationId, message);
  }

  /** A runtime event about this function, in its own log only (the daemon logs its own way). */
  void event(String level, String invocationId, String message) {
    services.logs().append(spec.name(), level, LogSource.RUNTIME, invocationId, message);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  /** Notifies listeners that the visible state changed (scaled to zero, or woken up). */
  void stateChanged() {
    slot.stateChanged();
  }

  int queueDepth() {
    return pool.queueDepth();
  }

  int inFlight() {
    return pool.running();
  }

  int abandonedThreads() {
    return pool.abandoned();
  }

  public static String describe(Throwable e) {
    String message = e.getMessage();
    return e.getClass().getName() + (message == null ? "" : ": " + message);
  }
}
