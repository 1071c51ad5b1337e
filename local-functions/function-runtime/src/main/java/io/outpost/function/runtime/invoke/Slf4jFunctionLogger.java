package io.outpost.function.runtime.invoke;

import io.outpost.function.FunctionLogger;
import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.logs.FunctionLogStore;
import org.slf4j.Logger;
import org.slf4j.helpers.FormattingTuple;
import org.slf4j.helpers.MessageFormatter;

/**
 * A function's logger: each line goes to the daemon's log under {@code outpost.function.<name>}
 * (SLF4J) and to the function's own log ({@link FunctionLogStore}) with its source and, for a
 * handler's logger, the invocation it belongs to.
 */
final class Slf4jFunctionLogger implements FunctionLogger {

  private final Logger log;
  private final String function;
  private final FunctionLogStore store;
  private final LogSource source;
  private final String invocationId;

  /**
   * @param invocationId the invocation a handler's lines belong to, null for runtime events
   */
  Slf4jFunctionLogger(
      Logger log, String function, FunctionLogStore store, LogSource source, String invocationId) {
    this.log = log;
    this.function = function;
    this.store = store;
    this.source = source;
    this.invocationId = invocationId;
  }

  @Override
  public void debug(String format, Object... args) {
    log.debug(format, args);
    keep("DEBUG", format, args);
  }

  @Override
  public void info(String format, Object... args) {
    log.info(format, args);
    keep("INFO", format, args);
  }

  @Override
  public void warn(String format, Object... args) {
    log.warn(format, args);
    keep("WARN", format, args);
  }

  @Override
  public void error(String format, Object... args) {
    log.error(format, args);
    keep("ERROR", format, args);
  }

  private void keep(String level, String format, Object... args) {
    FormattingTuple line = MessageFormatter.arrayFormat(format, args);
    Throwable t = line.getThrowable();
    String message = line.getMessage();
    store.append(function, level, source, invocationId, t == null ? message : message + ": " + t);
  }
}
