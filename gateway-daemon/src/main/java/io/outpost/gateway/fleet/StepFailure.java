package io.outpost.gateway.fleet;

/**
 * A deployment step that failed: reported as the job's FAILED (or REJECTED) status with {@code
 * step} and {@code reason} in its status details.
 */
final class StepFailure extends Exception {
  private static final long serialVersionUID = 1L;

  private final String step;

  StepFailure(String step, String reason) {
    super(reason);
    this.step = step;
  }

  String step() {
    return step;
  }
}
