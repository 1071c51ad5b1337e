package io.outpost.function;

/**
 * Thrown by {@link Message}'s JSON accessors when the payload does not have the requested shape.
 */
public class PayloadFormatException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what was expected and what was found
   * @param cause the parser's error, may be null
   */
  public PayloadFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
