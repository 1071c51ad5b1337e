package io.outpost.function.runtime.testfunctions;

import io.outpost.function.Context;
import io.outpost.function.Handler;
import io.outpost.function.Message;
import io.outpost.function.Publication;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps every allocation reachable until the JVM runs out of heap: a function retaining memory
 * without bound.
 */
public class Hoarder implements Handler {
  private static final List<byte[]> KEPT = new ArrayList<>();

  @Override
  public List<Publication> handle(Message message, Context context) {
    while (true) {
      KEPT.add(new byte[1 << 20]);
    }
  }
}
