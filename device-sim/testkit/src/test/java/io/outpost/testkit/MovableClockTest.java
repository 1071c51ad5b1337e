package io.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class MovableClockTest {

  private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

  @Test
  void aFixedClockStandsStillUntilMovedForwardOrSet() {
    MovableClock clock = MovableClock.at(START);

    assertThat(clock.instant()).isEqualTo(START);
    clock.advance(Duration.ofMinutes(20));
    assertThat(clock.instant()).isEqualTo(START.plus(Duration.ofMinutes(20)));
    clock.moveTo(START.minusSeconds(5));
    assertThat(clock.instant()).isEqualTo(START.minusSeconds(5));
    assertThat(MovableClock.fixed().instant()).isEqualTo(START);
  }

  @Test
  void anAheadClockRunsWithTheSystemClockPlusWhatItWasMoved() {
    MovableClock clock = MovableClock.ahead();

    Instant before = Instant.now();
    clock.advance(Duration.ofHours(1));
    Instant seen = clock.instant();
    Instant after = Instant.now();

    assertThat(seen).isBetween(before.plus(Duration.ofHours(1)), after.plus(Duration.ofHours(1)));
    clock.moveTo(START);
    assertThat(clock.instant()).isBetween(START, START.plusSeconds(60));
  }

  @Test
  void isUtcWhateverZoneIsAskedFor() {
    MovableClock clock = MovableClock.fixed();

    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.withZone(ZoneId.of("Europe/Berlin"))).isSameAs(clock);
  }
}
