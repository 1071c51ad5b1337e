package io.outpost.function.runtime;

import java.util.concurrent.CompletionStage;

/**
 * Implemented by the daemon: how function outputs and error records reach the local broker. Outputs
 * are published like any local client's messages, so routes (e.g. to the cloud spool) apply to them
 * too.
 */
@FunctionalInterface
public interface FunctionHost {

  /**
   * Publishes a message into the local broker. Called from function worker threads; must not block
   * for long.
   *
   * @param message the message
   * @return completes when the broker accepted the message, or fails with the reason it did not
   */
  CompletionStage<Void> publish(OutboundMessage message);
}
