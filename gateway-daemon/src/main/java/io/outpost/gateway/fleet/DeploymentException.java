package io.outpost.gateway.fleet;

/**
 * A deployment document that cannot be applied; the message names the field, e.g. {@code
 * functions[0].sha256: must be 64 hex digits}. Reported as the job's REJECTED reason.
 */
public final class DeploymentException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String field;

  public DeploymentException(String field, String reason) {
    super(field.isEmpty() ? reason : field + ": " + reason);
    this.field = field;
  }

  /**
   * The offending field's path, e.g. {@code functions[0].artifact.url}; empty for the document as a
   * whole.
   */
  public String field() {
    return field;
  }
}
