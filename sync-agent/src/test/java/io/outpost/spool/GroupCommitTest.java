package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The wear budget of group commit ({@code storage.maxCommitsPerSecond}) on a real spool file. */
@Timeout(60)
class GroupCommitTest {
  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<SqliteSpool> opened = new ArrayList<>();
  private Connection reader;

  @AfterEach
  void close() throws SQLException {
    opened.forEach(SqliteSpool::close);
    if (reader != null) {
      reader.close();
    }
  }

  private SqliteSpool open(
      SpoolOptions options, java.util.function.LongSupplier ticker, CommitListener listener) {
    SqliteSpool spool = SqliteSpool.open(options, registry, Clock.systemUTC(), ticker, listener);
    opened.add(spool);
    return spool;
  }

  private static SpoolEntry entry(String text) {
    return new SpoolEntry(
        "telemetry",
        0,
        "devices/d1/telemetry",
        text.getBytes(StandardCharsets.UTF_8),
        1,
        0,
        List.of(Map.entry("k", "v")),
        null,
        "d1",
        1_800_000_000_000L);
  }

  /**
   * Whether another connection sees the row: it was committed (and, with synchronous=FULL,
   * fsynced).
   */
  private synchronized boolean visibleElsewhere(long id) {
    try {
      if (reader == null) {
        reader =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SpoolOptions.DATABASE_FILE));
      }
      // new messages are stored in packs, one row per commit and priority, keyed by the first id
      try (PreparedStatement select =
          reader.prepareStatement("SELECT count(*) FROM pack WHERE id <= ? AND last_id >= ?")) {
        select.setLong(1, id);
        select.setLong(2, id);
        try (ResultSet rows = select.executeQuery()) {
          return rows.next() && rows.getLong(1) == 1;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private long commits() {
    return registry.get("outpost.spool.commit").timer().count();
  }

  private long commitsStarted(String after) {
    return (long)
        registry.get("outpost.spool.commit.started").tag("after", after).counter().count();
  }

  @ParameterizedTest(name = "maxCommitsPerSecond {0}")
  @ValueSource(ints = {0, 1, SpoolOptions.DEFAULT_MAX_COMMITS_PER_SECOND, 1000})
  void acknowledgesNoAppendBeforeTheCommitThatHoldsIt(int budget) throws Exception {
    AtomicLong committedWrites = new AtomicLong();
    AtomicLong acknowledged = new AtomicLong();
    AtomicBoolean early = new AtomicBoolean();
    SqliteSpool spool =
        open(
            SpoolOptions.in(dir).withMaxCommitsPerSecond(budget),
            System::nanoTime,
            committedWrites::addAndGet);
    List<CompletableFuture<Boolean>> checks = new ArrayList<>();
    List<Thread> publishers = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      int publisher = p;
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 25; i++) {
                  CompletableFuture<Boolean> check =
                      spool
                          .append(entry(publisher + "-" + i))
                          .thenApply(
                              id -> {
                                // acknowledged: the commit holding it must have been reported and
                                // be visible to another connection
                                if (acknowledged.incrementAndGet() > committedWrites.get()) {
                                  early.set(true);
                                }
                                return visibleElsewhere(id);
                              });
                  synchronized (checks) {
                    checks.add(check);
                  }
                  if (i % 5 == 4) {
                    // bursts with gaps: pauses end waits while other publishers keep sending
                    pause(3);
                  }
                }
              },
              "test-publisher-" + p);
      publishers.add(thread);
      thread.start();
    }
    for (Thread thread : publishers) {
      thread.join();
    }
    for (CompletableFuture<Boolean> check : checks) {
      assertThat(check.get(30, TimeUnit.SECONDS))
          .as("row visible to another connection when acknowledged")
          .isTrue();
    }
    assertThat(checks).hasSize(100);
    assertThat(early).as("an append acknowledged before its commit was reported").isFalse();
    assertThat(registry.get("outpost.spool.commit.messages").summary().totalAmount())
        .isEqualTo(100);
  }

  @ParameterizedTest(name = "maxCommitsPerSecond {0}")
  @ValueSource(ints = {0, 1, SpoolOptions.DEFAULT_MAX_COMMITS_PER_SECOND})
  void writesArrivingDuringACommitShareTheNextOne(int budget) throws Exception {
    CountDownLatch firstCommitReported = new CountDownLatch(1);
    CountDownLatch arrivalsQueued = new CountDownLatch(1);
    SqliteSpool spool =
        open(
            SpoolOptions.in(dir).withMaxCommitsPerSecond(budget),
            System::nanoTime,
            operations -> {
              if (firstCommitReported.getCount() > 0) {
                firstCommitReported.countDown();
                await(arrivalsQueued); // the writer is busy with the first commit while the next
                // writes arrive
              }
            });
    CompletableFuture<Long> first = spool.append(entry("first"));
    assertThat(firstCommitReported.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<Long>> during = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      during.add(spool.append(entry("during-" + i)));
    }
    arrivalsQueued.countDown();
    first.get(10, TimeUnit.SECONDS);
    CompletableFuture.allOf(during.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    assertThat(commits()).isEqualTo(2);
    assertThat(registry.get("outpost.spool.commit.messages").summary().max()).isEqualTo(20);
  }

  @Test
  void aBudgetHoldsAStreamBackForOneCommitButNotAWriteAfterAPause() throws Exception {
    AtomicLong ticker = new AtomicLong(1_000_000_000L);
    CountDownLatch loneCommitReported = new CountDownLatch(1);
    CountDownLatch streamQueued = new CountDownLatch(1);
    SqliteSpool spool =
        open(
            SpoolOptions.in(dir).withMaxCommitsPerSecond(1),
            ticker::get,
            operations -> {
              if (loneCommitReported.getCount() > 0) {
                loneCommitReported.countDown();
                // the writer is busy with the lone commit while the stream arrives: with the ticker
                // frozen the pause that ends a wait is half a millisecond of real time, which a
                // stall of this test's thread between two appends would otherwise exceed
                await(streamQueued);
              }
            });
    CompletableFuture<Long> lone = spool.append(entry("lone"));
    assertThat(loneCommitReported.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(commits()).as("a lone write commits at once").isEqualTo(1);
    assertThat(commitsStarted("at-once")).isEqualTo(1);

    // the budget interval (1 s of the ticker) has not passed: a stream gathers until it pauses, and
    // its commit waits for that pause instead of starting at once
    List<CompletableFuture<Long>> stream = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      stream.add(spool.append(entry("stream-" + i)));
    }
    streamQueued.countDown();
    lone.get(10, TimeUnit.SECONDS);
    CompletableFuture.allOf(stream.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    assertThat(commits()).isEqualTo(2);
    assertThat(registry.get("outpost.spool.commit.messages").summary().max()).isEqualTo(30);

    ticker.addAndGet(TimeUnit.SECONDS.toNanos(2));
    spool.append(entry("after-pause")).get(10, TimeUnit.SECONDS);
    assertThat(commits()).as("the budget allows the next write at once").isEqualTo(3);
    assertThat(commitsStarted("at-once")).isEqualTo(2);
    assertThat(commitsStarted("pause")).as("the stream of 30 paused").isEqualTo(1);
    assertThat(commitsStarted("interval")).isZero();
  }

  @Test
  void aLoneDeleteNoOneWaitsForIsHeldToTheBudgetWhileAPromptOneEndsTheWait() throws Exception {
    AtomicLong ticker = new AtomicLong(1_000_000_000L); // moves only when the test moves it
    SqliteSpool spool =
        open(SpoolOptions.in(dir).withMaxCommitsPerSecond(10), ticker::get, CommitListener.NONE);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ticker.addAndGet(TimeUnit.SECONDS.toNanos(1)); // each append commits at once
      ids.add(spool.append(entry("m" + i)).get(10, TimeUnit.SECONDS));
    }
    assertThat(spool.lease(3).get(10, TimeUnit.SECONDS)).hasSize(3);
    long before = commits();

    CompletableFuture<Void> first = spool.acknowledge(List.of(ids.get(0)), false);
    ticker.addAndGet(TimeUnit.MILLISECONDS.toNanos(10)); // within the budget's 100 ms interval
    CompletableFuture<Void> second = spool.acknowledge(List.of(ids.get(1)), false);
    // held: the writer serves other work meanwhile
    assertThat(spool.lease(3).get(10, TimeUnit.SECONDS)).as("all three still leased").isEmpty();
    assertThat(first).as("a delete no one waits for waits for the interval").isNotDone();
    assertThat(commits()).isEqualTo(before);

    ticker.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
    CompletableFuture.allOf(first, second).get(10, TimeUnit.SECONDS);
    assertThat(commits()).as("both share one commit, at the interval's end").isEqualTo(before + 1);
    assertThat(commitsStarted("interval")).isEqualTo(1);

    CompletableFuture<Void> third = spool.acknowledge(List.of(ids.get(2)), false);
    ticker.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
    spool.acknowledge(List.of(), true).get(10, TimeUnit.SECONDS);
    third.get(10, TimeUnit.SECONDS);
    assertThat(commits())
        .as("a prompt delete ends the wait: both in one more commit")
        .isEqualTo(before + 2);
    assertThat(spool.stats().depth()).isZero();
  }

  @Test
  void aLoneDeviceWhoseMessagesTheDrainDeletesMeanwhileStillCommitsAtOnce() throws Exception {
    AtomicLong ticker = new AtomicLong(1_000_000_000L); // frozen: the budget's interval never ends
    SqliteSpool spool =
        open(SpoolOptions.in(dir).withMaxCommitsPerSecond(1), ticker::get, CommitListener.NONE);
    long previous = spool.append(entry("m0")).get(10, TimeUnit.SECONDS);
    for (int i = 1; i <= CommitPacer.FRUITLESS_LIMIT + 1; i++) {
      // the cloud acknowledged the previous message: its delete reaches the spool before (or with)
      // the device's next message, which the device sends only after the previous PUBACK
      assertThat(spool.lease(1).get(10, TimeUnit.SECONDS)).hasSize(1);
      CompletableFuture<Void> delete = spool.acknowledge(List.of(previous), false);
      previous = spool.append(entry("m" + i)).get(10, TimeUnit.SECONDS);
      delete.get(10, TimeUnit.SECONDS);
    }

    assertThat(commitsStarted("pause"))
        .as("waits that gathered a delete but no other append were fruitless")
        .isEqualTo(CommitPacer.FRUITLESS_LIMIT);
    assertThat(commitsStarted("at-once"))
        .as("the first append, then the lone device's")
        .isEqualTo(2);
    assertThat(commits()).isEqualTo(CommitPacer.FRUITLESS_LIMIT + 2);
  }

  @Test
  void anAppendFromALoneWriterCommitsAtOnceWithDeletesThatWaitForTheBudget() throws Exception {
    AtomicLong ticker = new AtomicLong(1_000_000_000L); // frozen: the budget's interval never ends
    SqliteSpool spool =
        open(SpoolOptions.in(dir).withMaxCommitsPerSecond(10), ticker::get, CommitListener.NONE);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      // a device that sends its next message only after this one's PUBACK: two waits that gather
      // nothing, then each commits at once
      ids.add(spool.append(entry("lone-" + i)).get(10, TimeUnit.SECONDS));
    }
    assertThat(commitsStarted("pause")).isEqualTo(CommitPacer.FRUITLESS_LIMIT);
    assertThat(commitsStarted("at-once")).isEqualTo(2);
    assertThat(spool.lease(1).get(10, TimeUnit.SECONDS)).hasSize(1);

    CompletableFuture<Void> delete = spool.acknowledge(List.of(ids.get(0)), false);
    assertThat(spool.lease(1).get(10, TimeUnit.SECONDS)).as("the writer serves reads").hasSize(1);
    assertThat(delete).as("held to the budget").isNotDone();
    spool.append(entry("next")).get(10, TimeUnit.SECONDS);

    delete.get(10, TimeUnit.SECONDS);
    assertThat(commitsStarted("at-once"))
        .as("the append did not wait for the interval")
        .isEqualTo(3);
    assertThat(commitsStarted("pause")).isEqualTo(CommitPacer.FRUITLESS_LIMIT);
    assertThat(commitsStarted("interval")).isZero();
  }

  @Test
  void aBatchHoldingSixtyFourKibibytesOfPayloadCommitsWithoutWaitingForTheBudget()
      throws Exception {
    AtomicLong ticker = new AtomicLong(1_000_000_000L); // frozen: the budget's interval never ends
    SqliteSpool spool =
        open(SpoolOptions.in(dir).withMaxCommitsPerSecond(1), ticker::get, CommitListener.NONE);
    spool.append(entry("lone")).get(10, TimeUnit.SECONDS);
    assertThat(commitsStarted("at-once")).isEqualTo(1);

    long id =
        spool
            .append(entry("x".repeat((int) SpoolWriter.FULL_BATCH_BYTES + 1)))
            .get(10, TimeUnit.SECONDS);
    assertThat(commitsStarted("full")).as("a full batch is not held back").isEqualTo(1);
    assertThat(commitsStarted("pause")).isZero();
    assertThat(commitsStarted("interval")).isZero();
    assertThat(visibleElsewhere(id)).as("acknowledged after its commit").isTrue();
  }

  @Test
  void theBytesTheWriterWroteStayCountedAfterAGarbageCollection() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir), System::nanoTime, CommitListener.NONE);
    System.gc(); // the registry holds the counter's function weakly; the spool must hold it
    spool.append(entry("after-gc")).get(10, TimeUnit.SECONDS);
    assertThat(Files.readString(Path.of("/proc/thread-self/io")))
        .as("this kernel accounts writes per thread")
        .contains("write_bytes:");
    assertThat(registry.get("outpost.spool.written").functionCounter().count())
        .as("WAL pages and their fsync counted")
        .isPositive();
  }

  @Test
  void metricsShowWhatTheBudgetCosts() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir), System::nanoTime, CommitListener.NONE);
    for (int i = 0; i < 10; i++) {
      spool.append(entry("m" + i)).get(10, TimeUnit.SECONDS);
    }
    assertThat(registry.get("outpost.spool.commit").timer().count()).isEqualTo(10);
    assertThat(registry.get("outpost.spool.commit.messages").summary().totalAmount()).isEqualTo(10);
    assertThat(registry.get("outpost.spool.appended.payload").counter().count()).isEqualTo(20);
    assertThat(registry.get("outpost.spool.written").functionCounter().count())
        .isGreaterThanOrEqualTo(0);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
