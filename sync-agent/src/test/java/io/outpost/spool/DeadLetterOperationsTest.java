package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.testkit.MovableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The operator's dead-letter operations on a real SQLite spool: paged export, delete and purge. */
@Timeout(60)
class DeadLetterOperationsTest {
  private static final long NOW = 1_800_000_000_000L;

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MovableClock clock = MovableClock.at(Instant.ofEpochMilli(NOW));
  private SqliteSpool spool;

  @AfterEach
  void close() {
    if (spool != null) {
      spool.close();
    }
  }

  /**
   * Appends {@code count} messages and dead-letters each, one millisecond apart; returns their ids
   * in that order.
   */
  private List<Long> deadLetters(int count) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long id =
          get(
              spool.append(
                  new SpoolEntry(
                      "r",
                      0,
                      "cloud/r",
                      ("m" + i).getBytes(StandardCharsets.UTF_8),
                      1,
                      0,
                      List.of(),
                      null,
                      null,
                      NOW)));
      get(spool.deadLetter(List.of(id), "too-large"));
      clock.advance(Duration.ofMillis(i % 2)); // some share a failure time: the id breaks the tie
      ids.add(id);
    }
    return ids;
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  @Test
  void exportPagesWalkEveryDeadLetterOnceInListOrder() throws Exception {
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, clock);
    List<Long> ids = deadLetters(7);

    List<Long> exported = new ArrayList<>();
    DeadLetter after = null;
    List<DeadLetter> page;
    do {
      page = get(spool.deadLettersAfter(after, 3));
      page.forEach(d -> exported.add(d.id()));
      after = page.isEmpty() ? after : page.get(page.size() - 1);
    } while (!page.isEmpty());

    assertThat(exported).containsExactlyElementsOf(ids);
    assertThat(get(spool.deadLetters(100)))
        .extracting(DeadLetter::id)
        .containsExactlyElementsOf(ids);
  }

  @Test
  void deleteRemovesOnlyTheNamedDeadLettersAndCountsWhatExisted() throws Exception {
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, clock);
    List<Long> ids = deadLetters(3);

    assertThat(get(spool.deleteDeadLetters(List.of(ids.get(1), 999_999L)))).isEqualTo(1);

    assertThat(get(spool.deadLetters(10)))
        .extracting(DeadLetter::id)
        .containsExactly(ids.get(0), ids.get(2));
    assertThat(spool.stats().deadLetters()).isEqualTo(2);
    assertThat(spool.stats().depth()).isZero();
    assertThat(get(spool.retryDeadLetter(ids.get(1))))
        .as("a deleted dead letter cannot be retried")
        .isFalse();
  }

  @Test
  void purgeEmptiesTheDeadLetterTableAndSurvivesAReopen() throws Exception {
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, clock);
    deadLetters(4);
    get(
        spool.append(
            new SpoolEntry("r", 0, "cloud/r", new byte[] {1}, 1, 0, List.of(), null, null, NOW)));

    assertThat(get(spool.purgeDeadLetters())).isEqualTo(4);
    assertThat(spool.stats().deadLetters()).isZero();
    assertThat(spool.stats().depth()).as("queued messages are untouched").isEqualTo(1);

    spool.close();
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, clock);
    assertThat(get(spool.deadLetters(10))).isEmpty();
    assertThat(spool.stats().deadLetters()).isZero();
    assertThat(spool.stats().depth()).isEqualTo(1);
  }
}
