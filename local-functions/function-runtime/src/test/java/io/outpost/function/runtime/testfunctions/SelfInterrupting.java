package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * Publishes on "interrupted/PAYLOAD" whether its thread was interrupted when it started, then
 * interrupts its own thread and returns (a handler whose interrupt must not reach the next one).
 */
public class SelfInterrupting implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) {
    boolean interrupted = Thread.currentThread().isInterrupted();
    Thread.currentThread().interrupt();
    return List.of(
        Publication.text(
            "interrupted/" + message.payloadAsString(),
            interrupted + " " + Thread.currentThread().getName()));
  }
}
