package io.outpost.gateway.cli;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/** A function for {@link FunctionsLogsCliTest}: logs "handling PAYLOAD" and echoes it. */
public final class LoggingHandler implements Handler {

  @Override
  public List<Publication> handle(Message message, Context context) {
    context.logger().info("handling {}", message.payloadAsString());
    return List.of(Publication.text("logged/out", message.payloadAsString()));
  }
}
