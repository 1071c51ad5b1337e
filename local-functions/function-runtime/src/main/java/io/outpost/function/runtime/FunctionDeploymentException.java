package io.outpost.function.runtime;

import java.util.List;

/**
 * A deploy, rollback, activation or remove that cannot be done: bad package or descriptor, unknown
 * function or version, nothing to roll back to. {@link #reason()} tells callers (the admin API, the
 * CLI's exit code) which of these it is without reading the message.
 */
public class FunctionDeploymentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** Why the operation could not be done. */
  public enum Reason {
    /** The package or its descriptor is unusable, or the function cannot start. */
    BAD_PACKAGE,
    /** No function, or no stored version, by the name asked for. */
    NOT_FOUND,
    /** The function exists, but the operation has nothing to work on (no older version). */
    NOTHING_TO_DO
  }

  private final Reason reason;
  private final List<String> problems;

  /**
   * @param message what is wrong, naming the file or key
   */
  public FunctionDeploymentException(String message) {
    this(Reason.BAD_PACKAGE, message);
  }

  /**
   * @param message what is wrong, naming the file or key
   * @param cause the underlying error
   */
  public FunctionDeploymentException(String message, Throwable cause) {
    super(message, cause);
    this.reason = Reason.BAD_PACKAGE;
    this.problems = List.of(String.valueOf(message));
  }

  /**
   * @param reason which kind of failure
   * @param message what is wrong, naming the function, version, file or key
   */
  public FunctionDeploymentException(Reason reason, String message) {
    super(message);
    this.reason = reason;
    this.problems = List.of(String.valueOf(message));
  }

  /**
   * A package with several problems, each one line ({@code outpost-function.yaml:LINE: key:
   * message}); the message is all of them, one per line.
   */
  public FunctionDeploymentException(List<String> problems) {
    super(String.join("\n", problems));
    this.reason = Reason.BAD_PACKAGE;
    this.problems = List.copyOf(problems);
  }

  /** Which kind of failure this is. */
  public Reason reason() {
    return reason;
  }

  /** Every problem found, one line each (a single one for most failures). */
  public List<String> problems() {
    return problems;
  }
}
