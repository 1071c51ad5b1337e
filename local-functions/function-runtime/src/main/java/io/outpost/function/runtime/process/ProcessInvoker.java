package io.outpost.function.runtime.process;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.Counter;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.Invocation;
import io.outpost.function.runtime.invoke.InvocationContext;
import io.outpost.function.runtime.invoke.Invoker;
import io.outpost.function.runtime.invoke.RuntimeServices;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs invocations through a long-lived child process ({@link ChildProcess}). A child that dies is restarted after
 * an exponential back-off (at once in the background when pinned, at the next invocation when on-demand); one that
 * exceeds an invocation's timeout is killed and restarted the same way.
 */
public final class ProcessInvoker implements Invoker {

    private static final double BACKOFF_MULTIPLIER = 2.0;
    private static final long REPLY_GRACE_MILLIS = 1_000;

    private final FunctionPackage pkg;
    private final FunctionInstance instance;
    private final RuntimeServices services;
    private final IntervalFunction backoff;
    private final Counter restarts;
    private final AtomicLong ids = new AtomicLong();
    private final boolean pinned;
    private ChildProcess child;
    private ChildProcess killedForTimeout;
    private int crashes;
    private long notBeforeNanos;
    private boolean closed;
    private ScheduledFuture<?> restart;

    public ProcessInvoker(FunctionPackage pkg, FunctionInstance instance, RuntimeServices services) {
        this.pkg = pkg;
        this.instance = instance;
        this.services = services;
        this.pinned = pkg.descriptor().lifecycle() == Lifecycle.PINNED;
        FunctionRuntimeOptions o = services.options();
        this.backoff = IntervalFunction.ofExponentialBackoff(o.restartBackoffMillis(), BACKOFF_MULTIPLIER,
                o.restartBackoffMaxMillis());
        this.restarts = Counter.builder("outpost.function.process.restarts").tag("function", pkg.descriptor().name())
                .description("Process function children restarted after dying or timing out")
                .register(services.registry());
    }

    @Override
    public void start() throws IOException {
        if (pinned) {
            synchronized (this) {
                child = spawn();
            }
        }
    }

    @Override
    public List<OutboundMessage> invoke(Invocation inv, InvocationContext ctx) throws Exception {
        ChildProcess c = ensureChild();
        long id = ids.incrementAndGet();
        byte[] line = ProcessProtocol.request(id, inv, ctx, instance.spec(), instance.mapper());
        CompletableFuture<JsonNode> reply = c.send(id, line);
        JsonNode result;
        try {
            result = reply.get(ctx.remainingTime().toMillis() + REPLY_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no reply from process pid " + c.pid() + " in time", e);
        }
        synchronized (this) {
            crashes = 0;
        }
        return ProcessProtocol.outputs(result, instance.spec().name(), instance.mapper());
    }

    @Override
    public void timedOut() {
        ChildProcess c;
        synchronized (this) {
            c = child;
            killedForTimeout = c;
        }
        if (c != null) {
            instance.logger().warn("invocation timed out; killing process pid {}", c.pid());
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
            throw new IllegalStateException("process is restarting after a failure; next start in "
                    + TimeUnit.NANOSECONDS.toMillis(wait) + " ms");
        }
        child = spawn();
        return child;
    }

    private ChildProcess spawn() throws IOException {
        return ChildProcess.spawn(pkg, instance.spec(), services.options().maxProcessLineBytes(), instance.mapper(),
                instance.logger(), this::exited);
    }

    private void exited(ChildProcess c, String reason, boolean hadPending) {
        boolean timeout;
        long delayMillis;
        synchronized (this) {
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
            if (pinned) {
                restart = services.scheduler().schedule(this::restartPinned, delayMillis, TimeUnit.MILLISECONDS);
            }
        }
        instance.logger().warn("{}; restarting in {} ms", reason, delayMillis);
        if (!timeout && !hadPending) {
            instance.childCrashed(instance.spec().name() + ": " + reason);
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
