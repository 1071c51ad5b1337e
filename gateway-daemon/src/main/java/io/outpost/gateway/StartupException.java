package io.outpost.gateway;

/** The gateway could not start; carries the process exit code that best describes why. */
public final class StartupException extends Exception {

  private final int exitCode;

  public StartupException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
