package io.outpost.function.runtime;

import java.util.List;

/** Runs a handler of one deployed version: the part that differs between the Java and process runtimes. */
interface Invoker {

    /** Loads or spawns what the version needs; fails the deploy when the package is unusable. */
    void start() throws Exception;

    /**
     * Runs one invocation on the calling worker thread.
     *
     * @return messages the handler returned (published ones went through {@code context.publish} already)
     */
    List<OutboundMessage> invoke(Invocation invocation, InvocationContext context) throws Exception;

    /** Called by the watchdog when an invocation timed out, before the worker is interrupted. */
    void timedOut();

    /** Releases everything: handler instance, class loader, child process. Idempotent. */
    void close();
}
