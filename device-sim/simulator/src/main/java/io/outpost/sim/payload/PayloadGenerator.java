package io.outpost.sim.payload;

import java.util.random.RandomGenerator;

/**
 * Produces the bytes of one simulated message. Implementations are immutable and may be shared by
 * every device; randomness comes from the caller so each pacing thread can use its own generator.
 */
public interface PayloadGenerator {

  /**
   * Renders the payload for {@code context}, drawing random placeholder values from {@code random}.
   */
  byte[] render(MessageContext context, RandomGenerator random);
}
