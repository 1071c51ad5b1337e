package io.outpost.function.runtime;

import java.time.Duration;
import java.util.List;

/**
 * The result of {@link FunctionRuntime#invoke}: never an exception, always an outcome.
 *
 * @param function the function name
 * @param version the version that ran (null when none did, e.g. NOT_FOUND)
 * @param outcome how it ended
 * @param outputs messages the handler returned or published (already handed to the {@link
 *     FunctionHost})
 * @param duration time from start of execution to end (zero if it never ran)
 * @param error a human-readable reason for failed outcomes, null for OK
 * @param invocationId the id the invocation's lines carry in the function's log, null when it was
 *     never queued (e.g. NOT_FOUND)
 */
public record InvocationResult(
    String function,
    String version,
    Outcome outcome,
    List<OutboundMessage> outputs,
    Duration duration,
    String error,
    String invocationId) {

  /** Copies the output list. */
  public InvocationResult {
    outputs = outputs == null ? List.of() : List.copyOf(outputs);
    duration = duration == null ? Duration.ZERO : duration;
  }

  /** A result without an invocation id. */
  public InvocationResult(
      String function,
      String version,
      Outcome outcome,
      List<OutboundMessage> outputs,
      Duration duration,
      String error) {
    this(function, version, outcome, outputs, duration, error, null);
  }

  static InvocationResult failed(String function, String version, Outcome outcome, String error) {
    return new InvocationResult(function, version, outcome, List.of(), Duration.ZERO, error);
  }
}
