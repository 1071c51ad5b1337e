package io.outpost.function.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.RuntimeKind;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.Invocation;
import io.outpost.function.runtime.invoke.InvocationContext;
import io.outpost.function.runtime.invoke.Invoker;
import io.outpost.function.runtime.invoke.RuntimeServices;
import io.outpost.function.runtime.sandbox.Confinement;
import io.outpost.function.runtime.sandbox.LimitKind;
import io.outpost.function.runtime.sandbox.ResolvedLimits;
import io.outpost.function.runtime.sandbox.jvm.ChildJvmCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs invocations through a long-lived child process ({@link ChildProcess}). Up to the function's
 * {@code maxConcurrency} requests are in flight in the child at once (each worker thread waits for
 * its own result, matched by id); a plain process function has 1. A child that dies is restarted
 * after an exponential back-off (at once in the background when pinned, at the next invocation when
 * on-demand); one that exceeds an invocation's timeout is killed and restarted the same way, and
 * the other invocations in flight in it fail (outcome error).
 */
public final class ProcessInvoker implements Invoker {
  // Every child runs under the version's Confinement (cgroup or rlimits, see the sandbox package);
  // a Java function
  // with isolation: process is a child JVM (ChildJvmMain) that is kept warm like a pinned process
  // and announces
  // readiness with an id-0 line.

  private static final double BACKOFF_MULTIPLIER = 2.0;
  private static final long REPLY_GRACE_MILLIS = 1_000;
  private static final long RESTART_POLL_MILLIS = 20;

  /**
   * The most request bytes a child may have unanswered for {@link #startNow} to write one more on
   * the submitting thread: a pipe holds at least a page, so these never wait for the child.
   */
  static final int SEND_NOW_PIPE_BYTES = 4096;

  /**
   * The most a reply waits for the stderr lines written before it to be read (best effort, see
   * {@link StderrReader#awaitCaughtUp}).
   */
  private static final long STDERR_GRACE_MILLIS = 100;

  /**
   * While invocations succeed, the confinement's limit counters (files of its cgroup) are read at
   * most this often, not after each invocation; a failed one reads them at once.
   */
  private static final long HIT_CHECK_MILLIS = 200;

  private final FunctionPackage pkg;
  private final FunctionInstance instance;
  private final RuntimeServices services;
  private final IntervalFunction backoff;
  private final Counter restarts;
  private final Counter sentAtOnce;
  private final Counter sentByWorker;
  private final AtomicLong ids = new AtomicLong();
  private final AtomicLong nextHitCheckNanos = new AtomicLong(System.nanoTime());
  private final java.util.concurrent.atomic.AtomicBoolean hitCheckScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final boolean pinned;
  private final boolean jvm;
  private final int maxInFlight;

  /**
   * A child JVM, or a program answering several requests at once: its result completes the
   * invocation on the reader thread (a one-at-a-time program's waits for its stderr on the worker).
   */
  private final boolean answersOnReader;

  private final String name;
  private Confinement confinement;

  /** Written under this object's lock; volatile for {@link #startNow}, which must not take it. */
  private volatile ChildProcess child;

  private ChildProcess killedForTimeout;
  private ChildProcess stoppedIdle;
  private int crashes;
  private long notBeforeNanos;
  private volatile boolean closed;
  private ScheduledFuture<?> restart;

  /**
   * A pinned child's exit is being reported (exited()) and its restart is scheduled next: {@link
   * #awaitRestart} waits for it as for a scheduled one.
   */
  private boolean restartPending;

  public ProcessInvoker(FunctionPackage pkg, FunctionInstance instance, RuntimeServices services) {
    this.pkg = pkg;
    this.instance = instance;
    this.services = services;
    this.jvm = pkg.descriptor().runtime() == RuntimeKind.JAVA;
    this.pinned = pkg.descriptor().lifecycle() == Lifecycle.PINNED || jvm;
    this.name = pkg.descriptor().name();
    this.maxInFlight = instance.spec().maxConcurrency();
    this.answersOnReader = jvm || maxInFlight > 1;
    FunctionRuntimeOptions o = services.options();
    this.backoff =
        IntervalFunction.ofExponentialBackoff(
            o.restartBackoffMillis(), BACKOFF_MULTIPLIER, o.restartBackoffMaxMillis());
    this.restarts =
        Counter.builder("outpost.function.process.restarts")
            .tag("function", pkg.descriptor().name())
            .description("Process function children restarted after dying or timing out")
            .register(services.registry());
    this.sentAtOnce = requests("submitter");
    this.sentByWorker = requests("worker");
  }

  private Counter requests(String sentBy) {
    return Counter.builder("outpost.function.process.requests")
        .tag("function", name)
        .tag("sent.by", sentBy)
        .description(
            "Requests written to the child: by the thread that submitted the invocation (at once,"
                + " without a hand-off) or by a worker")
        .register(services.registry());
  }

  @Override
  public void start() throws IOException {
    if (pinned) {
      ChildProcess c;
      synchronized (this) {
        child = spawn();
        c = child;
      }
      if (jvm) {
        awaitReady(c, services.options().childJvmStartMillis(), true);
      }
    }
  }

  /**
   * A process function's program must keep running and serve requests: one that cannot be started,
   * or exits within {@code millis} of starting (crashes at once, or would crash-loop), fails the
   * deploy with its exit code and the last line it wrote to stderr.
   */
  @Override
  public void probe(long millis) throws Exception {
    if (jvm || millis <= 0) {
      return; // a child JVM proved itself with its ready line
    }
    ChildProcess c;
    try {
      c = ensureChild();
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          "command: " + StartFailures.describe(pkg.descriptor().command().get(0), e), e);
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (c.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(RESTART_POLL_MILLIS);
    }
    if (!c.isAlive()) {
      Integer code = c.exitValue();
      String stderr = c.lastStderr();
      throw new FunctionDeploymentException(
          "command: "
              + String.join(" ", pkg.descriptor().command())
              + " exited with code "
              + code
              + (code != null && code == 126 ? " (not executable: chmod +x it)" : "")
              + (code != null && code == 127 ? " (program not found)" : "")
              + " within "
              + millis
              + " ms of starting (functions.deployProbeMillis); a process function keeps"
              + " running and reads requests on stdin"
              + (stderr == null ? "" : ". Its last error output: " + stderr));
    }
  }

  /**
   * Waits until a child JVM loaded its handler; a load failure or a slow start fails the deploy or
   * invocation.
   */
  private void awaitReady(ChildProcess c, long millis, boolean deploying) throws IOException {
    JsonNode ready;
    try {
      ready = c.ready().get(millis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure(
          deploying, "the child JVM ended before it was ready: " + e.getCause().getMessage());
    } catch (TimeoutException e) {
      if (deploying) {
        c.stop(false);
      } // else it keeps starting for the next invocation
      throw failure(
          deploying,
          "the child JVM was not ready within " + millis + " ms (functions.childJvmStartMillis)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the child JVM started", e);
    }
    JsonNode error = ready == null ? null : ready.get("error");
    if (error != null && !error.isNull()) {
      c.stop(false);
      throw failure(deploying, error.asText());
    }
  }

  private static RuntimeException failure(boolean deploying, String message) {
    return deploying
        ? new FunctionDeploymentException(message)
        : new ProcessProtocol.ProcessFunctionException(message);
  }

  @Override
  public List<OutboundMessage> invoke(Invocation inv, InvocationContext ctx) throws Exception {
    ChildProcess c = ensureChild();
    if (jvm && !c.ready().isDone()) {
      awaitReady(c, ctx.remainingTime().toMillis(), false);
    }
    long id = ids.incrementAndGet();
    byte[] line = ProcessProtocol.request(id, inv, ctx, instance.spec(), instance.mapper());
    // A child answering several requests at once has no stderr to attribute to one of them, so its
    // result completes the invocation on the reader thread: outputs leave one thread wake-up
    // sooner. A one-at-a-time program's result waits on this thread, briefly and best effort, for
    // the stderr lines written before it. The stage is attached before the line is written, so even
    // an instant answer is decoded by the reader.
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    CompletableFuture<List<OutboundMessage>> outputs =
        reply.thenApply(result -> decode(result, answersOnReader ? ctx : null));
    c.send(id, inv.id, line, reply, now -> publishNow(now, ctx));
    sentByWorker.increment();
    return await(c, reply, outputs, ctx);
  }

  /** A child that answers on its reader thread: see {@link #startNow}. */
  @Override
  public boolean startsNow() {
    return answersOnReader;
  }

  /**
   * Writes the request on the submitting thread when the child is up and ready, has a request slot
   * free and its pipe takes the line without waiting ({@link ChildProcess#trySendNow}, at most
   * {@value #SEND_NOW_PIPE_BYTES} bytes unanswered): neither a hand-off to a worker nor a worker
   * waiting for the result. The thread that reads the result (or the child's end) reports it.
   */
  @Override
  public boolean startNow(Invocation inv, InvocationContext ctx) {
    ChildProcess c = closed ? null : child; // not under the lock a spawning thread holds
    // base64 makes the payload a third larger: a line that cannot fit is not even encoded here
    if (!answersOnReader || c == null || inv.message.payload().length > SEND_NOW_PIPE_BYTES / 2) {
      return false;
    }
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    try {
      long id = ids.incrementAndGet();
      byte[] line = ProcessProtocol.request(id, inv, ctx, instance.spec(), instance.mapper());
      // attached before the line leaves: the reader runs it, however fast the child answers
      reply.whenComplete((result, failure) -> answered(result, failure, ctx));
      if (!c.trySendNow(
          id, inv.id, line, reply, now -> publishNow(now, ctx), SEND_NOW_PIPE_BYTES)) {
        return false; // the reply never completes: nothing is reported
      }
    } catch (IOException | RuntimeException e) {
      return false; // a payload that is not JSON, a failed stream: the worker's invoke reports it
    }
    sentAtOnce.increment();
    return true;
  }

  /**
   * Reports an invocation {@link #startNow} started, on the thread that completed its reply: the
   * reader (a result, the child's end) or the one that killed the child.
   */
  private void answered(JsonNode result, Throwable failure, InvocationContext ctx) {
    Throwable cause = failure;
    if (cause == null) {
      try {
        decode(result, ctx);
      } catch (UncheckedIOException e) {
        cause = e.getCause(); // a malformed result
      } catch (RuntimeException e) {
        cause = e; // an error result, too many outputs
      }
    }
    checkHits(cause != null);
    if (cause == null) {
      synchronized (this) {
        crashes = 0;
      }
    } else {
      ctx.failed(cause);
    }
  }

  /** Waits for a request's outputs on a worker; counts limit hits and resets the crash count. */
  private List<OutboundMessage> await(
      ChildProcess c,
      CompletableFuture<JsonNode> reply,
      CompletableFuture<List<OutboundMessage>> outputs,
      InvocationContext ctx)
      throws Exception {
    try {
      return outputs.get(
          ctx.remainingTime().toMillis() + REPLY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("no reply from process pid " + c.pid() + " in time", e);
    } finally {
      boolean answered = reply.isDone() && !reply.isCompletedExceptionally();
      checkHits(!answered);
      if (answered) {
        if (!answersOnReader) {
          c.awaitStderrRead(STDERR_GRACE_MILLIS);
        }
        synchronized (this) {
          crashes = 0;
        }
      }
    }
  }

  /**
   * The outputs of a result line; with {@code ctx}, also reports the invocation done with them (on
   * the thread that read the line).
   */
  private List<OutboundMessage> decode(JsonNode result, InvocationContext ctx) {
    List<OutboundMessage> out;
    try {
      out = ProcessProtocol.outputs(result, instance.spec().name(), instance.mapper());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (ctx != null) {
      ctx.returned(out);
    }
    return out;
  }

  /**
   * What the invocation throws: the child's error result, a malformed one or too many outputs as
   * they were raised; the child's end (the reply failed) as an IOException.
   */
  private static Exception unwrap(Throwable cause) {
    if (cause instanceof UncheckedIOException u) {
      return u.getCause();
    }
    if (cause instanceof RuntimeException r) {
      return r;
    }
    return new IOException(cause.getMessage(), cause);
  }

  /**
   * Messages a child publishes while its invocation runs ({@code publishNow}); a malformed one is
   * logged.
   */
  private void publishNow(JsonNode line, InvocationContext ctx) {
    try {
      JsonNode asResult =
          instance.mapper().createObjectNode().set("publish", line.get("publishNow"));
      ProcessProtocol.outputs(asResult, instance.spec().name(), instance.mapper())
          .forEach(ctx::publishEncoded);
    } catch (IOException | RuntimeException e) {
      instance.logger().warn("protocol: cannot publish a publishNow line: {}", e.getMessage());
    }
  }

  @Override
  public void awaitRestart() {
    long deadline =
        System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(services.options().childJvmStartMillis());
    ChildProcess c = null;
    while (System.nanoTime() < deadline) {
      synchronized (this) {
        if (closed) {
          return;
        }
        if (child != null && child.isAlive()) {
          c = child;
          break;
        }
        if (!restartPending && (restart == null || restart.isDone())) {
          return; // nothing is starting: the invocation reports why
        }
      }
      try {
        Thread.sleep(RESTART_POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    if (c != null && jvm) {
      try {
        c.ready()
            .get(
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
                TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        // the invocation reports it
      }
    }
  }

  @Override
  public void timedOut() {
    ChildProcess c;
    synchronized (this) {
      c = child;
      if (c != null && jvm && !c.ready().isDone()) {
        // the invocation was still waiting for a starting JVM: it never reached it, let the JVM
        // come up
        return;
      }
      killedForTimeout = c;
    }
    if (c != null) {
      int others = c.requestsInFlight() - 1;
      instance
          .logger()
          .warn(
              "invocation timed out; killing process pid {}{}",
              c.pid(),
              others > 0
                  ? " and failing the " + others + " other invocations in flight in it"
                  : "");
      c.kill(
          "process pid "
              + c.pid()
              + " was killed because another invocation in flight in it timed out (timeoutMillis "
              + instance.spec().timeout().toMillis()
              + ")");
    }
    Confinement k = confinement();
    if (k != null) {
      k.killAll(); // what the child started and detached from it
    }
  }

  /**
   * Scale to zero: the idle child is killed (nothing is in flight) and the next invocation starts a
   * new one.
   */
  @Override
  public void suspend() {
    ChildProcess c;
    synchronized (this) {
      c = child;
      child = null;
      stoppedIdle = c;
    }
    if (c != null) {
      instance.logger().info("stopping idle process pid {}", c.pid());
      c.stop(false);
    }
  }

  @Override
  public void close() {
    ChildProcess c;
    synchronized (this) {
      closed = true;
      if (restart != null) {
        restart.cancel(false);
      }
      c = child;
      child = null;
    }
    if (c != null) {
      c.stop(true);
    }
    Confinement k = confinement();
    if (k != null) {
      k.close();
    }
  }

  private synchronized Confinement confinement() {
    return confinement;
  }

  /**
   * After an invocation: looks for limits hit at once when it failed or the last look is {@value
   * #HIT_CHECK_MILLIS} ms old, else makes sure one look follows within that time (a fork refused
   * while the child goes on is counted without reading cgroup files on every invocation).
   */
  private void checkHits(boolean failed) {
    long now = System.nanoTime();
    long next = nextHitCheckNanos.get();
    if (failed
        || (now - next >= 0
            && nextHitCheckNanos.compareAndSet(
                next, now + TimeUnit.MILLISECONDS.toNanos(HIT_CHECK_MILLIS)))) {
      reportHits(null, false);
    } else if (hitCheckScheduled.compareAndSet(false, true)) {
      services
          .scheduler()
          .schedule(
              () -> {
                hitCheckScheduled.set(false);
                synchronized (this) {
                  if (closed) {
                    return;
                  }
                }
                reportHits(null, false);
              },
              HIT_CHECK_MILLIS,
              TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Logs and counts the limits hit since the last look; {@code exitCode} of a child that ended,
   * else null.
   */
  private void reportHits(Integer exitCode, boolean saidOutOfMemory) {
    Confinement k = confinement();
    if (k == null) {
      return;
    }
    for (LimitKind hit : k.newHits(exitCode, jvm, saidOutOfMemory)) {
      services.limitHits().hit(name, hit, describe(hit, k.limits(), exitCode));
    }
  }

  private static String describe(LimitKind hit, ResolvedLimits limits, Integer exitCode) {
    String how = exitCode == null ? "" : "; the process exited with code " + exitCode;
    return switch (hit) {
      case MEMORY -> "out of memory at limits.memoryMiB=" + limits.memoryMiB() + how;
      case PROCESSES ->
          "a new process or thread was refused at limits.maxProcesses=" + limits.maxProcesses();
      case CPU -> "CPU time limit reached" + how;
      case TIMEOUT -> "timed out" + how;
    };
  }

  private synchronized ChildProcess ensureChild() throws IOException {
    if (closed) {
      throw new IllegalStateException("function version stopped");
    }
    if (child != null && child.isAlive()) {
      return child;
    }
    long wait = notBeforeNanos - System.nanoTime();
    if (wait > 0) {
      throw new IllegalStateException(
          "process is restarting after a failure; next start in "
              + TimeUnit.NANOSECONDS.toMillis(wait)
              + " ms");
    }
    child = spawn();
    return child;
  }

  /**
   * Starts a child under the version's confinement (made with the first child). Holds the monitor.
   */
  private ChildProcess spawn() throws IOException {
    FunctionSpec spec = instance.spec();
    if (confinement == null) {
      confinement = services.sandbox().confine(spec.name() + "@" + spec.version(), spec.limits());
    }
    List<String> command =
        jvm
            ? ChildJvmCommand.of(
                pkg.location(),
                spec.descriptor().handler(),
                spec.name(),
                spec.version(),
                spec.descriptor().lifecycle() == Lifecycle.PINNED,
                spec.maxConcurrency(),
                spec.environment().keySet(),
                spec.limits())
            : spec.descriptor().command();
    ChildProcess c =
        ChildProcess.spawn(
            pkg,
            spec,
            confinement.wrap(command, jvm),
            jvm ? List.of("java", spec.descriptor().handler()) : command,
            jvm,
            services.options().maxProcessLineBytes(),
            maxInFlight,
            instance.mapper(),
            instance.logger(),
            new ChildOutput(instance),
            this::exited);
    confinement.started(c.pid());
    return c;
  }

  private void exited(ChildProcess c, String reason, boolean hadPending) {
    reportHits(c.exitValue(), c.saidOutOfMemory());
    boolean timeout;
    long delayMillis;
    synchronized (this) {
      if (c == stoppedIdle) {
        return; // stopped on purpose by scale to zero: neither a crash nor a restart
      }
      if (c == child) {
        child = null;
      }
      timeout = c == killedForTimeout;
      if (closed || (!timeout && c != child && child != null)) {
        return;
      }
      crashes++;
      delayMillis = backoff.apply(crashes);
      notBeforeNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
      restarts.increment();
      restartPending = pinned;
    }
    instance.logger().warn("{}; restarting in {} ms", reason, delayMillis);
    try {
      if (!timeout && !hadPending) {
        // Before the restart is scheduled (outside the monitor: it calls state listeners): whoever
        // sees the new child sees the crash (ERRORED), and a crash that made the function BROKEN
        // holds the restart back (restartPinned).
        instance.childCrashed(instance.spec().name() + ": " + reason);
      }
    } finally {
      if (pinned) {
        synchronized (this) {
          restartPending = false;
          if (!closed) {
            restart =
                services
                    .scheduler()
                    .schedule(this::restartPinned, delayMillis, TimeUnit.MILLISECONDS);
          }
        }
      }
    }
  }

  private void restartPinned() {
    if (instance.isBroken()) {
      return; // the next permitted (half-open) invocation starts it
    }
    try {
      ensureChild();
    } catch (IOException | RuntimeException e) {
      instance.logger().error("restarting process failed", e);
      instance.childCrashed(instance.spec().name() + ": restart failed: " + e.getMessage());
    }
  }
}
