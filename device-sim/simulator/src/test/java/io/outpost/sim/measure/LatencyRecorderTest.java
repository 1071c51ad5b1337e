package io.outpost.sim.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  @Test
  void reportsPercentilesInMillisecondsFromMicrosecondValues() {
    LatencyRecorder r = new LatencyRecorder();
    for (int i = 1; i <= 1000; i++) {
      r.record(i * 1000L); // 1..1000 ms
    }

    LatencySummary s = r.total();
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.p50Ms()).isCloseTo(500, within(1.0));
    assertThat(s.p99Ms()).isCloseTo(990, within(1.0));
    assertThat(s.maxMs()).isCloseTo(1000, within(1.0));
  }

  @Test
  void intervalsAreFoldedIntoTheTotal() {
    LatencyRecorder r = new LatencyRecorder();
    r.record(1000);
    assertThat(r.interval().count()).isEqualTo(1);
    r.record(2000);
    r.record(3000);

    assertThat(r.interval().count()).isEqualTo(2);
    assertThat(r.total().count()).isEqualTo(3);
  }

  @Test
  void negativeLatencyIsRecordedAsZeroAndCounted() {
    LatencyRecorder r = new LatencyRecorder();
    r.record(-50);

    assertThat(r.negativeCount()).isEqualTo(1);
    assertThat(r.total().maxMs()).isZero();
  }

  @Test
  void emptyRecorderSummarisesToZeros() {
    assertThat(new LatencyRecorder().total()).isEqualTo(LatencySummary.EMPTY);
  }
}
