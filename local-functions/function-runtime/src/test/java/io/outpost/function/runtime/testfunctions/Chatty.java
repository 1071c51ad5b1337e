package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * Logs through its context's logger: "handling PAYLOAD" at INFO, and at WARN too when the payload
 * is "warn"; with payload "sleep" it waits (interruptibly) past any timeout.
 */
public class Chatty implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) throws Exception {
    String payload = message.payloadAsString();
    context.logger().info("handling {}", payload);
    if (payload.equals("warn")) {
      context.logger().warn("careful with {}", payload);
    }
    if (payload.equals("sleep")) {
      Thread.sleep(60_000);
    }
    return List.of();
  }
}
