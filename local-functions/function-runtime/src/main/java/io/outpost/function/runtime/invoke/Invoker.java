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
