package io.outpost.function.runtime.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fixed interval ({@code every: 10s}): the first run one interval after the schedule is armed,
 * then one interval after each planned run.
 *
 * @param interval time between runs, at least {@link #MIN_INTERVAL}
 * @param text the descriptor's value, for status
 */
public record EveryTiming(Duration interval, String text) implements Timing {

  /** The shortest interval: a schedule is not a busy loop. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** The longest interval (a year), so arithmetic on instants cannot overflow. */
  public static final Duration MAX_INTERVAL = Duration.ofDays(366);

  private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)");

  /** Validates the bounds. */
  public EveryTiming {
    if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
      throw new IllegalArgumentException(
          "every: must be between 1s and 366d, was " + (text == null ? interval : text));
    }
  }

  /**
   * Parses {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or {@code 1d}.
   *
   * @throws IllegalArgumentException {@code "every: why"}
   */
  public static EveryTiming parse(String text) {
    Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "every: expected a number and a unit (ms, s, m, h or d), e.g. 10s or 5m, was '"
              + text
              + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        };
    return new EveryTiming(d, text.trim());
  }

  @Override
  public Instant next(Instant after) {
    return after.plus(interval);
  }
}
