package io.outpost.packaging;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * The function {@link FleetIT} deploys to its gateways: answers {@code fleet/in/X} on {@code
 * fleet/out/X}. It travels as this class file alone, so it may use only the function API and the
 * JDK.
 */
public final class FleetEchoFunction implements Handler {

  @Override
  public List<Publication> handle(Message message, Context context) {
    return List.of(
        Publication.bytes(
            "fleet/out/" + message.topic().substring("fleet/in/".length()), message.payload()));
  }
}
