package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Blocks (interruptibly) until the file named by config "gate" exists, when the payload says
 * "wait"; otherwise answers at once. Publishes "gate/started" first so tests know it is in flight.
 */
public class Gate implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) throws InterruptedException {
    if (message.payloadAsString().contains("wait")) {
      context.publish(Publication.text("gate/started", context.functionVersion()));
      Path gate = Path.of(context.config().get("gate"));
      while (!Files.exists(gate)) {
        Thread.sleep(5);
      }
    }
    return List.of(Publication.text("gate/done", context.functionVersion()));
  }
}
