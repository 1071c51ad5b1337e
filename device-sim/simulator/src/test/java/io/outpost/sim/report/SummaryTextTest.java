package io.outpost.sim.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.sim.consume.ConsumeSummary;
import io.outpost.sim.fleet.RunSummary;
import io.outpost.sim.measure.DrainSummary;
import io.outpost.sim.measure.LatencySummary;
import io.outpost.sim.measure.SequenceCounts;
import io.outpost.sim.measure.TimelinePoint;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTextTest {

  private static final LatencySummary LATENCY =
      new LatencySummary(10, 1.5, 2.5, 3.5, 4.0, 120.0, 2.0);

  @Test
  void runSummaryShowsCountsThroughputAndPercentiles() {
    RunSummary s =
        new RunSummary(
            4,
            4,
            0,
            1,
            "V5",
            0,
            "100-byte JSON",
            100,
            99,
            1,
            2,
            3,
            0,
            2.0,
            49.5,
            LATENCY,
            List.of());

    assertThat(SummaryText.run(s))
        .contains("sent 100, acked 99, failed 1, rejected 2")
        .contains("49.5 msg/s")
        .contains("rate unlimited")
        .contains("p50 1.50 ms, p95 2.50 ms, p99 3.50 ms, max 120 ms (n=10)");
  }

  @Test
  void consumeSummaryShowsLossesAndBacklogOnlyWhenThereIsOne() {
    ConsumeSummary withBacklog =
        consume(new DrainSummary(2000, 40, 10, 14, 4, 9.75, 20_000, 20, 0));
    ConsumeSummary without = consume(new DrainSummary(2000, 0, -1, -1, 0, 0, 0, 0.1, 1));

    assertThat(SummaryText.consume(withBacklog))
        .contains("lost 3, duplicates 2, out of order 1")
        .contains("40 messages older than 2000 ms, drained in 4.00 s at 9.8 msg/s");
    assertThat(SummaryText.consume(without)).doesNotContain("backlog:");
  }

  @Test
  void summariesRoundTripThroughJson() throws Exception {
    ConsumeSummary s = consume(new DrainSummary(2000, 0, -1, -1, 0, 0, 0, 0.1, 1));

    assertThat(Json.read(Json.write(s), ConsumeSummary.class)).isEqualTo(s);
  }

  private static ConsumeSummary consume(DrainSummary drain) {
    return new ConsumeSummary(
        1,
        "devices/+/telemetry",
        100,
        0,
        new SequenceCounts(2, 100, 3, 2, 1, 0, 101),
        1.0,
        100,
        LATENCY,
        0,
        0,
        drain,
        List.of(new TimelinePoint(1, 1_763_900_000_000L, 0, 0, 100, 0, 3, 2, 0, 100)));
  }
}
