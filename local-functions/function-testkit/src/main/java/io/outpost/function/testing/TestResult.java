package io.outpost.function.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * What one test invocation produced.
 *
 * @param published messages sent through {@code Context.publish}, in order
 * @param returned messages the handler returned, in order
 */
public record TestResult(List<PublishedMessage> published, List<PublishedMessage> returned) {

  /** Copies the lists. */
  public TestResult {
    published = List.copyOf(published);
    returned = List.copyOf(returned);
  }

  /**
   * All outputs in the order the runtime would publish them: published ones first, then returned
   * ones.
   */
  public List<PublishedMessage> outputs() {
    List<PublishedMessage> all = new ArrayList<>(published);
    all.addAll(returned);
    return all;
  }

  /**
   * The only output, for the common one-in, one-out handler.
   *
   * @throws AssertionError when there is not exactly one output
   */
  public PublishedMessage singleOutput() {
    List<PublishedMessage> all = outputs();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one output, got " + all);
    }
    return all.get(0);
  }
}
