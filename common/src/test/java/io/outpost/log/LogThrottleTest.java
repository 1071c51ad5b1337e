package io.outpost.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.testkit.MovableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LogThrottleTest {

  @Test
  void logsTheFirstThenOneSummaryPerIntervalCountingWhatWasLeftOut() {
    MovableClock clock = MovableClock.fixed();
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
    MovableClock clock = MovableClock.fixed();
    LogThrottle throttle = new LogThrottle(Duration.ofMinutes(5), clock);
    throttle.admit();
    throttle.admit();

    assertThat(throttle.reset()).isEqualTo(1);
    assertThat(throttle.admit()).isZero();
  }
}
