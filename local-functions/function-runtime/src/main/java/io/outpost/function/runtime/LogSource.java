package io.outpost.function.runtime;

import java.util.Locale;

/** Where a function's log line came from. */
public enum LogSource {
  /** The handler's own logger ({@code Context.logger()}), in-process or in a child JVM. */
  HANDLER,
  /** A line a process or wasm function wrote to stderr. */
  STDERR,
  /** A line a process function wrote to stdout that is not a protocol line. */
  STDOUT_NOISE,
  /** An event of the runtime about the function: deployed, started, timeout, restart, BROKEN. */
  RUNTIME;

  /** The form used in JSON and on the command line: {@code handler}, {@code stdout-noise}. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The source named by {@link #tag()}; {@link #RUNTIME} for anything unknown. */
  public static LogSource ofTag(String tag) {
    for (LogSource s : values()) {
      if (s.tag().equals(tag)) {
        return s;
      }
    }
    return RUNTIME;
  }
}
