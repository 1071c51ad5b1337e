package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer thread on its own queue and a real database, paced by a test ticker that stands still.
 */
@Timeout(30)
class SpoolWriterTest {
  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Clock clock = Clock.systemUTC();
  private final SpoolLedger ledger = new SpoolLedger();
  private final BlockingQueue<SpoolOp> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedAppends = new AtomicInteger();
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private final List<String> events = new CopyOnWriteArrayList<>();
  private Thread thread;
  private long sequence = 1;

  private void start(SpoolOptions options) throws Exception {
    SpoolStore store = new SpoolStore(SpoolDatabase.open(options, clock).connection());
    SpoolMetrics metrics =
        new SpoolMetrics(registry, ledger, queuedAppends::get, () -> 0, () -> 0L, clock);
    SpoolWriter writer =
        new SpoolWriter(
            options,
            store,
            ledger,
            metrics,
            clock,
            queue,
            queuedAppends,
            0,
            -1,
            () -> events.add("available"),
            new CommitPacer(options, ticker::get),
            operations -> events.add("commit"));
    thread = new Thread(writer, "test-spool-writer");
    thread.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (thread != null && thread.isAlive()) {
      CompletableFuture<Void> stopped = new CompletableFuture<>();
      queue.add(new SpoolOp.Stop(stopped));
      stopped.get(10, TimeUnit.SECONDS);
      thread.join(10_000);
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
    SpoolOp.Append op =
        new SpoolOp.Append(SpoolKeys.id(0, sequence++), entry, new CompletableFuture<>(), true);
    queuedAppends.incrementAndGet();
    op.future().thenRun(() -> events.add("ack " + text));
    return op;
  }

  @Test
  void reportsTheCommitBeforeAcknowledgingAndSignalsNewMessagesAfter() throws Exception {
    start(SpoolOptions.in(dir));
    SpoolOp.Append op = append("m1");
    queue.add(op);
    op.future().get(10, TimeUnit.SECONDS);
    org.awaitility.Awaitility.await().until(() -> events.size() == 3);
    assertThat(events).containsExactly("commit", "ack m1", "available");
  }

  @Test
  void aLeaseArrivingWhileTheBudgetGathersIsServedAtOnceFromCommittedState() throws Exception {
    start(SpoolOptions.in(dir).withMaxCommitsPerSecond(1));
    SpoolOp.Append first = append("first");
    queue.add(first);
    first.future().get(10, TimeUnit.SECONDS);

    // the ticker stands still, so the budget interval never passes: the next append gathers until
    // the stream pauses
    SpoolOp.Append second = append("second");
    SpoolOp.Lease lease = new SpoolOp.Lease(10, new CompletableFuture<>());
    queue.add(second);
    queue.add(lease);
    List<SpooledMessage> leased = lease.future().get(10, TimeUnit.SECONDS);
    boolean secondDoneWhenLeased = second.future().isDone();
    second.future().get(10, TimeUnit.SECONDS);

    assertThat(leased).extracting(SpooledMessage::id).containsExactly(first.id());
    assertThat(secondDoneWhenLeased)
        .as("the gathering append was not committed for the lease")
        .isFalse();
  }

  @Test
  void stopFinishesTheQueuedWritesFirstAndClosesTheDatabase() throws Exception {
    start(SpoolOptions.in(dir));
    SpoolOp.Append op = append("last");
    CompletableFuture<Void> stopped = new CompletableFuture<>();
    queue.add(op);
    queue.add(new SpoolOp.Stop(stopped));

    stopped.get(10, TimeUnit.SECONDS);
    assertThat(op.future()).isCompleted();
    thread.join(10_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(queuedAppends).hasValue(0);
  }
}
