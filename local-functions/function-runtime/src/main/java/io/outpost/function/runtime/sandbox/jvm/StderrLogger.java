package io.outpost.function.runtime.sandbox.jvm;

import io.outpost.function.FunctionLogger;

/**
 * A child JVM's function logger: one stderr line per call, logged by the daemon under the
 * function's name.
 */
final class StderrLogger implements FunctionLogger {

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

  /**
   * Fills {@code {}} placeholders like SLF4J; a trailing Throwable argument adds its description.
   */
  private static void log(String level, String format, Object... args) {
    StringBuilder out = new StringBuilder(level).append(' ');
    int arg = 0;
    int from = 0;
    int at;
    while ((at = format.indexOf("{}", from)) >= 0 && arg < args.length) {
      out.append(format, from, at).append(args[arg++]);
      from = at + 2;
    }
    out.append(format.substring(from));
    if (arg < args.length && args[arg] instanceof Throwable t) {
      out.append(": ").append(t);
    }
    System.err.println(out.toString().replace('\n', ' '));
  }
}
