package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * Echoes the payload to {@code echo/<topic>} tagged with the version that ran; "fail" makes it
 * throw.
 */
public class Echo implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) {
    if (message.payloadAsString().contains("fail")) {
      throw new IllegalStateException("asked to fail");
    }
    return List.of(
        Publication.bytes("echo/" + message.topic(), message.payload())
            .withUserProperty("version", context.functionVersion()));
  }
}
