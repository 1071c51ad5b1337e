package io.outpost.function.runtime.sandbox.jvm;

import io.outpost.function.FunctionLogger;

/**
 * A child JVM's function logger for one invocation: one protocol {@code log} line per call on
 * stdout, carrying the invocation's request id, so the daemon files each line under its invocation
 * even when several run at once, and in order with the invocation's result.
 */
final class ProtocolLogger implements FunctionLogger {

  private final long id;
  private final ReplyWriter out;

  ProtocolLogger(long id, ReplyWriter out) {
    this.id = id;
    this.out = out;
  }

  @Override
  public void debug(String format, Object... args) {
    log("DEBUG", format, args);
  }

  @Override
  public void info(String format, Object... args) {
    log("INFO", format, args);
  }

  @Override
  public void warn(String format, Object... args) {
    log("WARN", format, args);
  }

  @Override
  public void error(String format, Object... args) {
    log("ERROR", format, args);
  }

  private void log(String level, String format, Object... args) {
    out.log(id, level, format(format, args));
  }

  /**
   * Fills {@code {}} placeholders like SLF4J; a trailing Throwable argument adds its description.
   */
  static String format(String format, Object... args) {
    StringBuilder text = new StringBuilder();
    int arg = 0;
    int from = 0;
    int at;
    while ((at = format.indexOf("{}", from)) >= 0 && arg < args.length) {
      text.append(format, from, at).append(args[arg++]);
      from = at + 2;
    }
    text.append(format.substring(from));
    if (arg < args.length && args[arg] instanceof Throwable t) {
      text.append(": ").append(t);
    }
    return text.toString().replace('\n', ' ');
  }
}
