package io.outpost.function.testing;

import io.outpost.function.FunctionLogger;
import java.util.ArrayList;
import java.util.List;

/** Records log lines with SLF4J-style {@code {}} substitution, so tests can assert on them. */
final class TestLogger implements FunctionLogger {

  private final List<String> lines = new ArrayList<>();

  @Override
  public void debug(String format, Object... args) {
    add("DEBUG", format, args);
  }

  @Override
  public void info(String format, Object... args) {
    add("INFO", format, args);
  }

  @Override
  public void warn(String format, Object... args) {
    add("WARN", format, args);
  }

  @Override
  public void error(String format, Object... args) {
    add("ERROR", format, args);
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  private void add(String level, String format, Object... args) {
    StringBuilder out = new StringBuilder(level).append(' ');
    int arg = 0;
    int i = 0;
    while (i < format.length()) {
      if (format.startsWith("{}", i) && arg < args.length) {
        out.append(args[arg++]);
        i += 2;
      } else {
        out.append(format.charAt(i++));
      }
    }
    if (arg < args.length && args[args.length - 1] instanceof Throwable t) {
      out.append(" (").append(t).append(')');
    }
    lines.add(out.toString());
  }
}
