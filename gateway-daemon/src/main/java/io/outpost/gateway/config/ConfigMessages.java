package io.outpost.gateway.config;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.outpost.yaml.YamlMessages;
import java.util.Collection;

/**
 * Binding failures in the words of the file, not of Java: "expected a number, got '1GB'", "did you
 * mean 'maxMessageBytes'?", the line of a tab. Jackson's own messages name Java types and coercion
 * settings an operator cannot act on. The wording lives in {@link YamlMessages}, shared with the
 * function descriptor.
 */
final class ConfigMessages {

  private ConfigMessages() {}

  /**
   * "expected X, got Y" for a value of the wrong type; {@code null} when the failure is not one.
   */
  static String typeMismatch(MismatchedInputException e) {
    return YamlMessages.typeMismatch(e.getTargetType(), e.getOriginalMessage());
  }

  /**
   * "expected a number up to N, got X" for an integer too large for its key; {@code null}
   * otherwise.
   */
  static String outOfRange(String message) {
    return YamlMessages.outOfRange(message);
  }

  /** The known key closest to {@code unknown} when it is a likely typo, else null. */
  static String didYouMean(String unknown, Collection<Object> known) {
    return YamlMessages.didYouMean(unknown, known);
  }

  /** Damerau (optimal string alignment) edit distance. */
  static int distance(String a, String b) {
    return YamlMessages.distance(a, b);
  }

  /** 1-based line of the first tab in a line's indentation, or 0 when there is none. */
  static int tabLine(String yaml) {
    return YamlMessages.tabLine(yaml);
  }
}
