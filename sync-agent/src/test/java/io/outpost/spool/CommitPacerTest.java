package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CommitPacerTest {
  private final AtomicLong ticker = new AtomicLong(5_000_000_000L);

  private CommitPacer pacer(SpoolOptions options) {
    return new CommitPacer(options, ticker::get);
  }

  @Test
  void withoutABudgetNothingEverWaits() {
    CommitPacer pacer = pacer(SpoolOptions.defaults().withMaxCommitsPerSecond(0));
    assertThat(pacer.mustWait(pacer.now(), 1)).isFalse();
    pacer.started(pacer.now());
    assertThat(pacer.mustWait(pacer.now(), 1)).isFalse();
  }

  @Test
  void theFirstCommitAndOneAfterAPauseStartAtOnce() {
    CommitPacer pacer = pacer(SpoolOptions.defaults().withMaxCommitsPerSecond(25));
    assertThat(pacer.mustWait(pacer.now(), 1)).isFalse();
    pacer.started(pacer.now());
    ticker.addAndGet(TimeUnit.MILLISECONDS.toNanos(40));
    assertThat(pacer.mustWait(pacer.now(), 1)).isFalse();
  }

  @Test
  void writesWithinTheIntervalWaitForItsEnd() {
    CommitPacer pacer = pacer(SpoolOptions.defaults().withMaxCommitsPerSecond(25));
    long start = pacer.now();
    pacer.started(start);
    ticker.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
    assertThat(pacer.mustWait(pacer.now(), 1)).isTrue();
    assertThat(pacer.earliestStart()).isEqualTo(start + TimeUnit.MILLISECONDS.toNanos(40));
    assertThat(pacer.quietNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(4));
  }

  @Test
  void aLoneWriterStopsWaitingOnceWaitsGatherNothingAndOverlappingWritersTurnItBackOn() {
    CommitPacer pacer = pacer(SpoolOptions.defaults().withMaxCommitsPerSecond(25));
    pacer.started(pacer.now());
    for (int i = 0; i < CommitPacer.FRUITLESS_LIMIT; i++) {
      assertThat(pacer.mustWait(pacer.now(), 1)).isTrue();
      pacer.gathered(0);
    }
    assertThat(pacer.mustWait(pacer.now(), 1)).as("waiting gathered nothing lately").isFalse();
    assertThat(pacer.mustWait(pacer.now(), 3)).as("writers overlap again").isTrue();
    pacer.gathered(5);
    assertThat(pacer.mustWait(pacer.now(), 1)).isTrue();
  }

  @Test
  void aTightBudgetKeepsAQuietGapOfAtLeastHalfAMillisecond() {
    CommitPacer pacer = pacer(SpoolOptions.defaults().withMaxCommitsPerSecond(10_000));
    assertThat(pacer.quietNanos()).isEqualTo(TimeUnit.MICROSECONDS.toNanos(500));
  }

  @Test
  void theQuietGapFollowsTheStreamBetweenHalfAMillisecondAndATenthOfTheInterval() {
    CommitPacer pacer = pacer(SpoolOptions.defaults().withMaxCommitsPerSecond(25));
    assertThat(pacer.quietNanos()).as("no arrivals seen yet").isEqualTo(ms(4));
    for (int i = 0; i < 50; i++) {
      pacer.arrived(TimeUnit.MICROSECONDS.toNanos(200), 10); // 20 µs apart: a saturating stream
    }
    assertThat(pacer.quietNanos()).isEqualTo(TimeUnit.MICROSECONDS.toNanos(500));
    for (int i = 0; i < 50; i++) {
      pacer.arrived(TimeUnit.MICROSECONDS.toNanos(250), 1);
    }
    assertThat(pacer.quietNanos())
        .as("eight mean gaps of about 250 µs")
        .isBetween(TimeUnit.MICROSECONDS.toNanos(1900), TimeUnit.MICROSECONDS.toNanos(2000));
    for (int i = 0; i < 50; i++) {
      pacer.arrived(ms(2), 1); // a slow stream keeps the full tenth of the interval
    }
    assertThat(pacer.quietNanos()).isEqualTo(ms(4));
    pacer.arrived(ms(1), 0);
    assertThat(pacer.quietNanos()).as("a poll that found nothing changes nothing").isEqualTo(ms(4));
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void theLegacyLingerKeyBecomesABudget() {
    assertThat(
            new SpoolOptions(
                    null, null, null, null, null, null, null, null, null, null, null, 50, null,
                    null)
                .maxCommitsPerSecond())
        .isEqualTo(20);
    assertThat(
            new SpoolOptions(
                    null, null, null, null, null, null, null, null, null, null, null, 0, null, null)
                .maxCommitsPerSecond())
        .isZero();
    assertThat(
            new SpoolOptions(
                    null, null, null, null, null, null, null, null, null, null, null, 1000, null,
                    null)
                .maxCommitsPerSecond())
        .isEqualTo(1);
  }

  @Test
  void invalidBudgetsAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> SpoolOptions.defaults().withMaxCommitsPerSecond(-1))
        .hasMessageStartingWith("maxCommitsPerSecond:");
    assertThatThrownBy(
            () ->
                SpoolOptions.defaults()
                    .withMaxCommitsPerSecond(SpoolOptions.MAX_MAX_COMMITS_PER_SECOND + 1))
        .hasMessageStartingWith("maxCommitsPerSecond:");
    assertThatThrownBy(
            () ->
                new SpoolOptions(
                    null, null, null, null, null, null, null, null, null, null, null, -1, null,
                    null))
        .hasMessageStartingWith("commitLingerMillis:");
    assertThatThrownBy(
            () ->
                new SpoolOptions(
                    null, null, null, null, null, null, null, null, null, null, null, 50, 20, null))
        .hasMessageStartingWith("commitLingerMillis:");
  }
}
