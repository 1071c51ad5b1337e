package io.outpost.function.runtime;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a function's log.
 *
 * @param time when it was logged (the daemon's clock)
 * @param level {@code DEBUG}, {@code INFO}, {@code WARN} or {@code ERROR}
 * @param source where it came from
 * @param invocationId the invocation it belongs to, null when not known (runtime events, output of
 *     a process serving several invocations at once)
 * @param message the text, at most {@code functions.logs.maxLineBytes} UTF-8 bytes
 */
public record FunctionLogRecord(
    Instant time, String level, LogSource source, String invocationId, String message) {

  public FunctionLogRecord {
    Objects.requireNonNull(time, "time");
    level = level == null ? "INFO" : level;
    source = source == null ? LogSource.RUNTIME : source;
    message = message == null ? "" : message;
  }
}
