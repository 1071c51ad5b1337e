package io.outpost.packaging;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.List;

/**
 * Test function: spins until the system property outpost.test.spin.stop is set, ignoring
 * interrupts.
 */
public class SpinningFunction implements Handler {
  @Override
  public List<Publication> handle(Message message, Context context) {
    while (!Boolean.getBoolean("outpost.test.spin.stop")) {
      Thread.onSpinWait();
      Thread.interrupted(); // swallowing on purpose: this fixture models a misbehaving handler
    }
    return List.of();
  }
}
