package io.outpost.sim.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.sim.measure.SimClock;
import io.outpost.sim.measure.TimelinePoint;
import io.outpost.sim.support.Threads;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {

  @Test
  void keepsABoundedTimelinePrintsLinesAndSamplesOnceMoreOnClose() {
    AtomicLong sent = new AtomicLong();
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    ProgressReporter reporter =
        new ProgressReporter(
            nanos ->
                new TimelinePoint(nanos / 1e9, 0, sent.incrementAndGet(), 0, 0, 0, 0, 0, 0, 1.0),
            ProgressFormat::run,
            SimClock.system(),
            new PrintStream(lines, true, StandardCharsets.UTF_8),
            Duration.ofMillis(5),
            3);

    reporter.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> reporter.droppedPoints() > 0);
    reporter.close();
    reporter.close();

    assertThat(reporter.timeline()).hasSize(3);
    assertThat(reporter.timeline()).extracting(TimelinePoint::sent).containsExactly(1L, 2L, 3L);
    assertThat(lines.toString(StandardCharsets.UTF_8)).contains("sent=1 acked=0 errors=0 rate=1/s");
    Threads.awaitNoneLeft();
  }

  @Test
  void closeWithoutStartDoesNothing() {
    ProgressReporter reporter =
        new ProgressReporter(
            nanos -> null, ProgressFormat::run, SimClock.system(), null, Duration.ofSeconds(1), 10);

    reporter.close();

    assertThat(reporter.timeline()).isEmpty();
  }
}
