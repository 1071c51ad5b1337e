package io.outpost.gateway.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The query of {@code GET /api/functions/<name>/logs}: {@code since} (a duration back from now such
 * as {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, or an ISO-8601 instant) and {@code lines}
 * (at most {@value #MAX_LINES}, default {@value #DEFAULT_LINES}).
 *
 * @param since the oldest line wanted, null for any
 * @param lines how many of the newest lines
 */
public record LogQuery(Instant since, int lines) {

  public static final int DEFAULT_LINES = 100;
  public static final int MAX_LINES = 10_000;

  private static final Pattern AGO = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  /**
   * Parses the two parameters; throws {@code IllegalArgumentException} with a message for the user
   * when one is malformed.
   */
  public static LogQuery parse(String since, String lines, Clock clock) {
    return new LogQuery(since(since, clock), lines(lines));
  }

  static Instant since(String since, Clock clock) {
    if (since == null || since.isBlank()) {
      return null;
    }
    Matcher m = AGO.matcher(since.strip().toLowerCase(Locale.ROOT));
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration back =
          switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return clock.instant().minus(back);
    }
    try {
      return Instant.parse(since.strip());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "since: expected a duration such as 30s, 10m, 2h or 1d, or a time such as"
              + " 2026-01-31T12:00:00Z; got '"
              + since
              + "'");
    }
  }

  static int lines(String lines) {
    if (lines == null || lines.isBlank()) {
      return DEFAULT_LINES;
    }
    try {
      int n = Integer.parseInt(lines.strip());
      if (n >= 1 && n <= MAX_LINES) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "lines: expected a number from 1 to " + MAX_LINES + "; got '" + lines + "'");
  }
}
