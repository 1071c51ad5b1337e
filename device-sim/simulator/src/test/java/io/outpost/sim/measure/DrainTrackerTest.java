package io.outpost.sim.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DrainTrackerTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void reportsBacklogDrainTimeRateAndOutageSilence() {
    DrainTracker drain = new DrainTracker(Duration.ofSeconds(1));
    // 10 s of fresh traffic at 10 msg/s (5 ms latency)
    for (int i = 0; i < 100; i++) {
      drain.onArrival(i * SECOND / 10, 5_000);
    }
    // outage from 9.9 s to 30 s, then 401 backlog messages drain between 30 s and 34 s
    for (int i = 0; i <= 400; i++) {
      drain.onArrival(30 * SECOND + i * SECOND / 100, 20_000_000L - i * 40_000L);
    }
    // fresh again
    drain.onArrival(34 * SECOND + SECOND / 10, 5_000);

    DrainSummary s = drain.summary();
    assertThat(s.backlogMessages()).isEqualTo(401);
    assertThat(s.firstBacklogAtSeconds()).isEqualTo(30.0);
    assertThat(s.lastBacklogAtSeconds()).isCloseTo(34.0, within(1e-9));
    assertThat(s.drainSeconds()).isCloseTo(4.0, within(1e-9));
    assertThat(s.drainRatePerSecond()).isCloseTo(100.0, within(1e-6));
    assertThat(s.maxBacklogLatencyMs()).isEqualTo(20_000.0);
    assertThat(s.longestSilenceSeconds()).isCloseTo(20.1, within(1e-9));
    assertThat(s.longestSilenceStartSeconds()).isCloseTo(9.9, within(1e-9));
  }

  @Test
  void noBacklogWhenEverythingIsFresh() {
    DrainTracker drain = new DrainTracker(Duration.ofSeconds(2));
    drain.onArrival(0, 1_000);
    drain.onArrival(SECOND, 1_999_999);
    drain.onArrival(2 * SECOND, -1);

    DrainSummary s = drain.summary();
    assertThat(s.backlogMessages()).isZero();
    assertThat(s.firstBacklogAtSeconds()).isEqualTo(-1);
    assertThat(s.drainRatePerSecond()).isZero();
    assertThat(s.longestSilenceSeconds()).isEqualTo(1.0);
  }
}
