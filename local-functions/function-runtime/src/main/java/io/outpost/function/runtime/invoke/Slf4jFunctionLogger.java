package io.outpost.function.runtime.invoke;

import io.outpost.function.FunctionLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handler-facing logger, backed by SLF4J under {@code outpost.function.<name>}. */
final class Slf4jFunctionLogger implements FunctionLogger {

  private final Logger log;

  Slf4jFunctionLogger(String functionName) {
    this.log = LoggerFactory.getLogger("outpost.function." + functionName);
  }

  @Override
  public void debug(String format, Object... args) {
    log.debug(format, args);
  }

  @Override
  public void info(String format, Object... args) {
    log.info(format, args);
  }

  @Override
  public void warn(String format, Object... args) {
    log.warn(format, args);
  }

  @Override
  public void error(String format, Object... args) {
    log.error(format, args);
  }
}
