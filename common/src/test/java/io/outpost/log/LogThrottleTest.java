package io.outpost.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LogThrottleTest {

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void logsTheFirstThenOneSummaryPerIntervalCountingWhatWasLeftOut() {
    ManualClock clock = new ManualClock();
    LogThrottle throttle = new LogThrottle(Duration.ofMinutes(5), clock);

    assertThat(throttle.admit()).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.admit()).isEqualTo(-1);
    assertThat(throttle.admit()).isEqualTo(-1);
    clock.advance(Duration.ofMinutes(4));
    assertThat(throttle.admit()).as("the summary after the interval").isEqualTo(2);
    assertThat(throttle.admit()).isEqualTo(-1);
  }

  @Test
  void resetEndsTheSeriesSoTheNextOccurrenceIsLoggedAtOnce() {
    ManualClock clock = new ManualClock();
    LogThrottle throttle = new LogThrottle(Duration.ofMinutes(5), clock);
    throttle.admit();
    throttle.admit();

    assertThat(throttle.reset()).isEqualTo(1);
    assertThat(throttle.admit()).isZero();
  }
}
