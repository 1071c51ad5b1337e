package io.outpost.function.runtime;

/** A deployed function's visible state (like Greengrass' RUNNING / ERRORED / BROKEN). */
public enum FunctionState {
  /** Accepting and running invocations normally. */
  RUNNING,
  /**
   * The last invocation failed (or a process child died and is restarting); still accepting
   * invocations.
   */
  ERRORED,
  /**
   * Failed repeatedly: rejects invocations with outcome BROKEN until its back-off ends (or until
   * redeployed).
   */
  BROKEN,
  /**
   * Scaled to zero: an on-demand function unused for its idle time released its process, class
   * loader or module; its triggers stay subscribed and the next invocation starts it again (queued
   * meanwhile, never lost).
   */
  IDLE,
  /** Not running: the runtime is stopped or the function's package could not be loaded at start. */
  STOPPED,
  /** Removed; reported once to listeners so the daemon can drop its trigger subscriptions. */
  REMOVED
}
