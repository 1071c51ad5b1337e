package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * With payload "block", spins ignoring interrupts until system property {@value #RELEASE} is "true"
 * (a system property because this class is loaded by the function's own class loader, apart from
 * the test's copy).
 */
public class Stubborn implements Handler {
  public static final String RELEASE = "outpost.test.stubborn.release";

  @Override
  public List<Publication> handle(Message message, Context context) {
    if (message.payloadAsString().contains("block")) {
      while (!Boolean.getBoolean(RELEASE)) {
        Thread.onSpinWait();
        Thread.interrupted(); // swallowing on purpose: this fixture models a misbehaving handler
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.interrupted();
        }
      }
    }
    return List.of(Publication.text("stubborn/done", "ok"));
  }
}
