package io.outpost.function.runtime.descriptor;

import java.util.List;

/**
 * Every problem a descriptor's values have, each {@code key: why}; thrown by the record's
 * constructor so that a reader can place each one at its line.
 */
final class DescriptorProblems extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final transient List<String> problems;

  DescriptorProblems(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  List<String> problems() {
    return problems;
  }
}
