package io.outpost.function.runtime;

/**
 * A deploy, rollback or remove that cannot be done: bad package or descriptor, unknown function, no
 * older version.
 */
public class FunctionDeploymentException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong, naming the file or key
   */
  public FunctionDeploymentException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong, naming the file or key
   * @param cause the underlying error
   */
  public FunctionDeploymentException(String message, Throwable cause) {
    super(message, cause);
  }
}
