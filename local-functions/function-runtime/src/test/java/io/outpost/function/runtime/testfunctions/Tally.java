package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * Counts its invocations in a field: state survives only when pinned. Publishes via the context.
 */
public class Tally implements Handler {
  private int count;

  @Override
  public List<Publication> handle(Message message, Context context) {
    count++;
    context.publish(Publication.text("tally", Integer.toString(count)));
    return List.of();
  }
}
