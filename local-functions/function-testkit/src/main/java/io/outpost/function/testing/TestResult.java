package io.outpost.function.testing;

import io.outpost.function.runtime.OutboundMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * What one test invocation produced.
 *
 * @param published messages sent through {@code Context.publish}, in order
 * @param returned messages the handler returned, in order
 */
public record TestResult(List<OutboundMessage> published, List<OutboundMessage> returned) {

  /** Copies the lists. */
  public TestResult {
    published = List.copyOf(published);
    returned = List.copyOf(returned);
  }

  /**
   * All outputs in the order the runtime would publish them: published ones first, then returned
   * ones.
   */
  public List<OutboundMessage> outputs() {
    List<OutboundMessage> all = new ArrayList<>(published);
    all.addAll(returned);
    return all;
  }
}
