package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/** The trivial handler the benchmark measures the runtime's own overhead with. */
public class Noop implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) {
    return List.of();
  }
}
