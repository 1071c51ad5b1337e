package io.outpost.function.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimingTest {

  private static final Instant T0 = Instant.parse("2026-12-05T04:58:30Z");

  @Test
  void everyTakesAnIntervalWithAUnit() {
    assertThat(EveryTiming.parse("10s").interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(EveryTiming.parse("5m").interval()).isEqualTo(Duration.ofMinutes(5));
    assertThat(EveryTiming.parse("1h").interval()).isEqualTo(Duration.ofHours(1));
    assertThat(EveryTiming.parse("2d").interval()).isEqualTo(Duration.ofDays(2));
    assertThat(EveryTiming.parse("1500ms").interval()).isEqualTo(Duration.ofMillis(1500));
    assertThat(EveryTiming.parse(" 30 S ").text()).isEqualTo("30 S");
  }

  @Test
  void everyRunsOneIntervalAfterTheLastPlannedRun() {
    assertThat(EveryTiming.parse("10s").next(T0)).isEqualTo(T0.plusSeconds(10));
  }

  @Test
  void badIntervalsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> EveryTiming.parse("10"))
        .hasMessageStartingWith("every: expected a number and a unit");
    assertThatThrownBy(() -> EveryTiming.parse("ten seconds"))
        .hasMessageStartingWith("every: ")
        .hasMessageContaining("'ten seconds'");
    assertThatThrownBy(() -> EveryTiming.parse("500ms"))
        .hasMessage("every: must be between 1s and 366d, was 500ms");
    assertThatThrownBy(() -> EveryTiming.parse("0s")).hasMessageStartingWith("every: must be");
    assertThatThrownBy(() -> EveryTiming.parse("400d")).hasMessageStartingWith("every: must be");
  }

  @Test
  void cronHasSixFieldsStartingWithSeconds() {
    CronTiming fiveMinutes = CronTiming.parse("0 */5 * * * *");

    assertThat(fiveMinutes.next(T0)).isEqualTo(Instant.parse("2026-12-05T05:00:00Z"));
    assertThat(fiveMinutes.next(Instant.parse("2026-12-05T05:00:00Z")))
        .isEqualTo(Instant.parse("2026-12-05T05:05:00Z"));
    assertThat(CronTiming.parse("*/15 * * * * *").next(T0))
        .isEqualTo(Instant.parse("2026-12-05T04:58:45Z"));
  }

  @Test
  void cronIsEvaluatedInUtcWithNamedDays() {
    // 2026-12-05 is a Saturday: the next weekday 06:00 is Monday the 7th
    assertThat(CronTiming.parse("0 0 6 * * MON-FRI").next(T0))
        .isEqualTo(Instant.parse("2026-12-07T06:00:00Z"));
  }

  @Test
  void badCronExpressionsAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> CronTiming.parse("*/5 * * * *"))
        .hasMessageStartingWith("schedule: not a cron expression with seconds")
        .hasMessageContaining("'*/5 * * * *'")
        .hasMessageNotContaining("com.cronutils")
        .hasMessageNotContaining("Exception");
    assertThatThrownBy(() -> CronTiming.parse("0 61 * * * *")).hasMessageStartingWith("schedule: ");
    assertThatThrownBy(() -> CronTiming.parse("every five minutes"))
        .hasMessageStartingWith("schedule: ");
  }

  @Test
  void scheduleAndEveryAreOneOrTheOther() {
    assertThat(Timing.parse(null, null)).isNull();
    assertThat(Timing.parse("0 * * * * *", null)).isEqualTo(new CronTiming("0 * * * * *"));
    assertThat(Timing.parse(null, "10s")).isEqualTo(EveryTiming.parse("10s"));
    assertThatThrownBy(() -> Timing.parse("0 * * * * *", "10s"))
        .hasMessage("every: give either schedule (cron) or every (an interval), not both");
  }
}
