package io.outpost.gateway;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * The trivial function {@link FunctionLatencyBench} deploys: republishes every payload unchanged
 * under bench/out/.
 */
public final class EchoHandler implements Handler {

  @Override
  public List<Publication> handle(Message message, Context context) {
    return List.of(
        Publication.bytes(
            "bench/out/" + message.topic().substring("bench/in/".length()), message.payload()));
  }
}
