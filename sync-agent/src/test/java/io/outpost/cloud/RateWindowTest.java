package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RateWindowTest {
  private final AtomicLong ticker = new AtomicLong(7_000_000_000L);
  private final RateWindow window = new RateWindow(ticker::get);

  private void seconds(long s) {
    ticker.addAndGet(TimeUnit.SECONDS.toNanos(s));
  }

  @Test
  void averagesTheLastWholeSeconds() {
    for (int s = 0; s < 9; s++) {
      window.record(900);
      seconds(1);
    }
    assertThat(window.perSecond()).isEqualTo(900.0);
  }

  @Test
  void theCurrentSecondDoesNotCountUntilItIsOver() {
    window.record(1000);
    assertThat(window.perSecond()).isZero();
    seconds(1);
    assertThat(window.perSecond()).isEqualTo(1000.0 / 9);
  }

  @Test
  void aPauseLongerThanTheWindowClearsIt() {
    window.record(5000);
    seconds(30);
    assertThat(window.perSecond()).isZero();
    window.record(90);
    seconds(1);
    assertThat(window.perSecond()).isEqualTo(10.0);
  }
}
