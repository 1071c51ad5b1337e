package io.outpost.gateway;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;
import java.util.Locale;

/**
 * A function for {@link AdminObservabilityTest}, packaged into a real jar: upper-cases a text
 * payload onto {@code shout/out}; throws on an empty one.
 */
public final class ShoutHandler implements Handler {

  @Override
  public List<Publication> handle(Message message, Context context) {
    String text = message.payloadAsString();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("nothing to shout");
    }
    return List.of(Publication.text("shout/out", text.toUpperCase(Locale.ROOT)));
  }
}
