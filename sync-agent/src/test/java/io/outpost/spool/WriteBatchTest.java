package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One group commit's writes on a real database: futures complete after the commit, never before or
 * after a rollback.
 */
@Timeout(30)
class WriteBatchTest {
  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Clock clock = Clock.systemUTC();
  private final SpoolLedger ledger = new SpoolLedger();
  private SpoolStore store;
  private SpoolMetrics metrics;
  private long sequence = 1;

  private WriteBatch batch(SpoolOptions options) throws Exception {
    store = new SpoolStore(SpoolDatabase.open(options, clock).connection());
    metrics = new SpoolMetrics(registry, ledger, () -> 0, () -> 0, () -> 0L, clock);
    return new WriteBatch(options, store, ledger, metrics, clock, 0, -1);
  }

  @AfterEach
  void close() throws SQLException {
    if (store != null) {
      store.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }

  private SpoolOp.Append append(String text) {
    SpoolEntry entry =
        new SpoolEntry(
            "telemetry",
            0,
            "devices/d1/telemetry",
            text.getBytes(StandardCharsets.UTF_8),
            1,
            0,
            List.of(),
            null,
            "d1",
            1_800_000_000_000L);
    return new SpoolOp.Append(SpoolKeys.id(0, sequence++), entry, new CompletableFuture<>(), true);
  }

  private void commit(WriteBatch batch, SpoolOp.Write... writes) throws SQLException {
    batch.begin();
    for (SpoolOp.Write write : writes) {
      batch.add(write);
    }
    store.begin();
    batch.execute();
    store.commit();
    batch.committed();
  }

  @Test
  void anAppendCompletesOnlyOnceItsCommitIsReported() throws Exception {
    WriteBatch batch = batch(SpoolOptions.in(dir));
    SpoolOp.Append append = append("hello");
    batch.begin();
    batch.add(append);
    store.begin();
    batch.execute();
    assertThat(append.future()).as("executed, not committed").isNotDone();
    store.commit();
    assertThat(append.future()).as("committed, not reported").isNotDone();

    assertThat(batch.committed()).as("new messages to lease").isTrue();
    assertThat(append.future().get(1, TimeUnit.SECONDS)).isEqualTo(append.id());
    assertThat(batch.appended()).isEqualTo(1);
    assertThat(batch.appendedBytes()).isEqualTo(5);
    assertThat(ledger.depth()).isEqualTo(1);
  }

  @Test
  void aRolledBackBatchFailsItsFuturesAndLeavesNothingStored() throws Exception {
    WriteBatch batch = batch(SpoolOptions.in(dir));
    SpoolOp.Append append = append("lost");
    batch.begin();
    batch.add(append);
    store.begin();
    batch.execute();
    store.recover(); // what the writer does after a failed commit: roll back, forget cached names
    batch.failed(new SpoolUnavailableException("spool write failed: test"));

    assertThat(append.future()).isCompletedExceptionally();
    assertThat(append.future())
        .failsWithin(1, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(SpoolUnavailableException.class);
    assertThat(store.totalsByRoute()).isEmpty();
  }

  @Test
  void aFullSpoolWithRejectNewRefusesTheAppendAfterTheCommit() throws Exception {
    WriteBatch batch =
        batch(
            SpoolOptions.in(dir).withMaxBytes(120L).withOverflowPolicy(OverflowPolicy.REJECT_NEW));
    SpoolOp.Append first = append("a".repeat(60));
    SpoolOp.Append second = append("b".repeat(60));
    commit(batch, first, second);

    assertThat(first.future()).isCompleted();
    assertThat(second.future())
        .failsWithin(1, TimeUnit.SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(SpoolFullException.class);
    assertThat(registry.get("outpost.spool.dropped").tag("reason", "overflow").counter().count())
        .isEqualTo(1);
  }

  @Test
  void anAcknowledgementDeletesAndCompletesAfterItsCommit() throws Exception {
    WriteBatch batch = batch(SpoolOptions.in(dir));
    SpoolOp.Append append = append("delivered");
    commit(batch, append);
    SpoolOp.Ack ack = new SpoolOp.Ack(List.of(append.id()), new CompletableFuture<>(), true);
    batch.begin();
    batch.add(ack);
    store.begin();
    batch.execute();
    store.commit();
    assertThat(ack.future()).isNotDone();
    assertThat(batch.committed()).as("a delete makes nothing new leasable").isFalse();

    assertThat(ack.future()).isCompleted();
    assertThat(ledger.depth()).isZero();
    assertThat(store.totalsByRoute()).isEmpty();
  }
}
