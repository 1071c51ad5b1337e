package io.outpost.gateway.admin.console;

import java.time.Duration;

/**
 * The web console's bounds.
 *
 * @param maxStreams live update streams served at once ({@code admin.consoleMaxStreams}); one more
 *     gets 503 {@code too-many-streams} and is counted in {@code
 *     outpost.admin.console.streams.rejected}
 * @param maxSessions signed-in sessions kept at once ({@code admin.consoleMaxSessions}); a new
 *     login past it ends the least recently used session
 * @param sessionIdle a session unused this long ends, the browser shows the login page again
 *     ({@code admin.consoleSessionIdleMinutes})
 * @param interval how often a stream gets a new snapshot. Default one second
 */
public record ConsoleOptions(
    int maxStreams, int maxSessions, Duration sessionIdle, Duration interval) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  public ConsoleOptions {
    if (maxStreams <= 0 || maxSessions <= 0) {
      throw new IllegalArgumentException("maxStreams and maxSessions must be > 0");
    }
    if (sessionIdle.isNegative()
        || sessionIdle.isZero()
        || interval.isNegative()
        || interval.isZero()) {
      throw new IllegalArgumentException("sessionIdle and interval must be positive");
    }
  }

  /** The configured bounds, with the default snapshot interval. */
  public static ConsoleOptions of(int maxStreams, int maxSessions, Duration sessionIdle) {
    return new ConsoleOptions(maxStreams, maxSessions, sessionIdle, DEFAULT_INTERVAL);
  }
}
