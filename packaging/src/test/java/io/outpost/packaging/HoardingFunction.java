package io.outpost.packaging;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.ArrayList;
import java.util.List;

/** Test function: keeps 1 MiB arrays alive until its JVM runs out of heap. */
public class HoardingFunction implements Handler {
  private static final List<byte[]> KEPT = new ArrayList<>();

  @Override
  public List<Publication> handle(Message message, Context context) {
    while (true) {
      KEPT.add(new byte[1 << 20]);
    }
  }
}
