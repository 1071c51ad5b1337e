package io.outpost.function;

/**
 * A minimal logger for handlers. Messages use {@code {}} placeholders; a trailing {@link Throwable}
 * argument is logged with its stack trace. The runtime routes it to the gateway's log tagged with
 * the function's name.
 */
public interface FunctionLogger {

  /** Logs diagnostic detail, usually disabled. */
  void debug(String format, Object... args);

  /** Logs normal operation. */
  void info(String format, Object... args);

  /** Logs something unexpected that the handler recovered from. */
  void warn(String format, Object... args);

  /** Logs a failure. */
  void error(String format, Object... args);
}
