package io.outpost.cloud;

import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the drain for the status and the log: the delivery rate, and the backlog found when the
 * link came online, logged once it is gone ("drained N messages in T"). Called on the link thread;
 * {@link #perSecond()} from any.
 */
final class DrainProgress {
  private static final Logger LOG = LoggerFactory.getLogger(CloudLink.class);

  private final Clock clock;
  private final DrainRate rate;
  private boolean backlog;
  private long backlogSinceMillis;
  private long drained;

  DrainProgress(Clock clock) {
    this.clock = clock;
    this.rate = new DrainRate(clock);
  }

  /**
   * The link is online with {@code depth} messages waiting: a backlog starts unless one is still
   * being drained.
   */
  void online(long depth) {
    if (depth > 0 && !backlog) {
      backlog = true;
      backlogSinceMillis = clock.millis();
      drained = 0;
    }
  }

  /**
   * {@code messages} were delivered and deleted from the spool; {@code depth} reads what is left.
   */
  void acknowledged(int messages, LongSupplier depth) {
    rate.delivered(messages);
    if (!backlog) {
      return;
    }
    drained += messages;
    if (depth.getAsLong() == 0) {
      backlog = false;
      Duration took = Duration.ofMillis(clock.millis() - backlogSinceMillis);
      LOG.info(
          "Backlog drained: {} messages in {} ({} per second)",
          drained,
          human(took),
          String.format(
              java.util.Locale.ROOT, "%.1f", drained * 1000.0 / Math.max(1, took.toMillis())));
    }
  }

  double perSecond() {
    return rate.perSecond();
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return String.format(java.util.Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + (s % 3600 / 60) + "m";
  }
}
