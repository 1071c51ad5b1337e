package io.outpost.gateway.cli;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A function for reload tests, packaged into a real jar by {@link FunctionJars}: the payload names
 * a file; it publishes {@code gate/started}, waits (interruptibly) until that file exists, then
 * returns {@code gate/done}.
 */
public final class GateHandler implements Handler {

  @Override
  public List<Publication> handle(Message message, Context context) throws InterruptedException {
    String gate = message.payloadAsString();
    context.publish(Publication.text("gate/started", gate));
    while (!Files.exists(Path.of(gate))) {
      Thread.sleep(5);
    }
    return List.of(Publication.text("gate/done", gate));
  }
}
