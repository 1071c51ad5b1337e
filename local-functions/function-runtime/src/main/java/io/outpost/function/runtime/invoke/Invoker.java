package io.outpost.function.runtime.invoke;

import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import java.util.List;

/**
 * Runs a handler of one deployed version: the part that differs between the Java, process and wasm
 * runtimes.
 */
public interface Invoker {

  /**
   * Creates the invoker of one version; the deployer picks the runtime, so this package names none
   * of them.
   */
  @FunctionalInterface
  interface Factory {
    Invoker create(FunctionPackage pkg, FunctionInstance instance, RuntimeServices services);
  }

  /** Loads or spawns what the version needs; fails the deploy when the package is unusable. */
  void start() throws Exception;

  /**
   * Runs one invocation on the calling worker thread.
   *
   * @return messages the handler returned (published ones went through {@code context.publish}
   *     already)
   */
  List<OutboundMessage> invoke(Invocation invocation, InvocationContext context) throws Exception;

  /**
   * Whether {@link #startNow} may ever start an invocation: checked before a slot is reserved for
   * it.
   */
  default boolean startsNow() {
    return false;
  }

  /**
   * Starts an invocation on the submitting thread, which may be an event loop, when that cannot
   * block it (for a child process: its request fits in the pipe at once). No worker waits for it:
   * the invoker reports its end exactly once, on another thread, through {@link
   * InvocationContext#returned} or {@link InvocationContext#failed}; the version's timer times it
   * out ({@link #timedOut}).
   *
   * @return false, having started nothing, when it cannot start now (a worker runs {@link #invoke}
   *     as usual)
   */
  default boolean startNow(Invocation invocation, InvocationContext context) {
    return false;
  }

  /**
   * Waits (bounded) until a child that is being restarted can take invocations, so its start-up
   * does not count against the next invocation's timeout. Called by a worker before the invocation
   * starts; never throws.
   */
  default void awaitRestart() {}

  /**
   * At deploy, after {@link #start()}: proves the version can run by watching it for {@code millis}
   * ({@code functions.deployProbeMillis}); a program that exits meanwhile fails the deploy.
   * Runtimes that have nothing to watch return at once.
   *
   * @throws Exception (a deployment error) naming why the version cannot run
   */
  default void probe(long millis) throws Exception {}

  /** Called by the watchdog when an invocation timed out, before the worker is interrupted. */
  void timedOut();

  /**
   * Scale to zero: releases what an idle on-demand version holds (child process, class loader,
   * parsed module) so that the next {@link #invoke} starts it again. Called only while no
   * invocation runs.
   */
  default void suspend() {}

  /** Releases everything: handler instance, class loader, child process. Idempotent. */
  void close();
}
