package io.outpost.sim.report;

import io.outpost.sim.measure.TimelinePoint;
import java.util.Locale;

/** The one-line live progress formats of the two sides. */
public final class ProgressFormat {

  private ProgressFormat() {}

  /** Publisher side: sent, acked, errors, current ack rate. */
  public static String run(TimelinePoint p) {
    return String.format(
        Locale.ROOT,
        "[%7.1fs] sent=%d acked=%d errors=%d rate=%.0f/s",
        p.seconds(),
        p.sent(),
        p.acked(),
        p.errors(),
        p.ratePerSecond());
  }

  /** Subscriber side: received, lost, duplicates, backlog, errors, current receive rate. */
  public static String consume(TimelinePoint p) {
    return String.format(
        Locale.ROOT,
        "[%7.1fs] received=%d lost=%d dup=%d backlog=%d errors=%d rate=%.0f/s",
        p.seconds(),
        p.received(),
        p.lost(),
        p.duplicates(),
        p.backlog(),
        p.errors(),
        p.ratePerSecond());
  }
}
