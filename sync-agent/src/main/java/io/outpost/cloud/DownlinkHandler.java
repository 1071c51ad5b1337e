package io.outpost.cloud;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Takes a message the cloud sent down (cloud → local routes) into the gateway. The cloud gets its
 * QoS 1 PUBACK only when the returned stage completes, so a gateway that crashes before it took the
 * message in receives it again after the restart instead of losing it. A stage that fails is
 * counted in {@code outpost.cloud.downlink.errors} and acknowledged all the same: a message the
 * gateway cannot take must not block the cloud's in-flight window for ever.
 */
@FunctionalInterface
public interface DownlinkHandler {

  /**
   * Called on a Paho thread: must not block; return a stage that completes when the message is
   * taken in.
   */
  CompletionStage<?> deliver(CloudMessage message);

  /** A handler that has taken the message in when {@code consumer} returns. */
  static DownlinkHandler immediate(Consumer<CloudMessage> consumer) {
    return message -> {
      consumer.accept(message);
      return CompletableFuture.completedFuture(null);
    };
  }
}
