package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.testkit.MovableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteSpoolTest {
  private static final long NOW = 1_800_000_000_000L;

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MovableClock clock = MovableClock.at(Instant.ofEpochMilli(NOW));
  private final List<SqliteSpool> opened = new ArrayList<>();

  @AfterEach
  void closeSpools() {
    opened.forEach(SqliteSpool::close);
  }

  private SqliteSpool open(SpoolOptions options) {
    SqliteSpool spool = SqliteSpool.open(options, registry, clock);
    opened.add(spool);
    return spool;
  }

  private SqliteSpool open() {
    return open(SpoolOptions.in(dir));
  }

  private static SpoolEntry entry(String route, int priority, String text) {
    return new SpoolEntry(
        route,
        priority,
        "cloud/" + route,
        text.getBytes(StandardCharsets.UTF_8),
        1,
        0,
        List.of(Map.entry("k", "v")),
        "text/plain",
        "dev-1",
        NOW);
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  private static List<String> texts(List<SpooledMessage> messages) {
    return messages.stream()
        .map(m -> new String(m.entry().payload(), StandardCharsets.UTF_8))
        .toList();
  }

  @Test
  void aStreamAfterTheFirstCommitFoldsIntoOneCommitUnderAWearBudget() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir).withMaxCommitsPerSecond(1));
    get(spool.append(entry("telemetry", 0, "first")));
    List<CompletableFuture<Long>> appends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      appends.add(spool.append(entry("telemetry", 0, "m" + i)));
    }
    CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

    // the first commits alone and at once; the ten share the next transaction and fsync
    assertThat(registry.get("outpost.spool.commit.batch").summary().count()).isEqualTo(2);
    assertThat(registry.get("outpost.spool.commit.batch").summary().max()).isEqualTo(10);
    assertThat(texts(get(spool.lease(20))))
        .containsExactly("first", "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  void appendedMessageSurvivesReopenWithAllFields() throws Exception {
    SqliteSpool spool = open();
    long id = get(spool.append(entry("telemetry", 3, "hello")));
    spool.close();

    SqliteSpool reopened = open();
    List<SpooledMessage> leased = get(reopened.lease(10));
    assertThat(leased).hasSize(1);
    SpooledMessage message = leased.get(0);
    assertThat(message.id()).isEqualTo(id);
    assertThat(message.entry().route()).isEqualTo("telemetry");
    assertThat(message.entry().priority()).isEqualTo(3);
    assertThat(message.entry().topic()).isEqualTo("cloud/telemetry");
    assertThat(message.entry().userProperties()).containsExactly(Map.entry("k", "v"));
    assertThat(message.entry().contentType()).isEqualTo("text/plain");
    assertThat(message.entry().originClientId()).isEqualTo("dev-1");
    assertThat(reopened.stats().depth()).isEqualTo(1);
  }

  @Test
  void leasesHighestPriorityFirstAndFifoWithinPriority() throws Exception {
    SqliteSpool spool = open();
    get(spool.append(entry("a", 0, "low-1")));
    get(spool.append(entry("a", 5, "high-1")));
    get(spool.append(entry("a", 0, "low-2")));
    get(spool.append(entry("a", 5, "high-2")));

    assertThat(texts(get(spool.lease(3)))).containsExactly("high-1", "high-2", "low-1");
    assertThat(texts(get(spool.lease(3)))).containsExactly("low-2");
    assertThat(get(spool.lease(3))).isEmpty();
  }

  @Test
  void deletesOnlyAcknowledgedMessagesAndReleasesTheRest() throws Exception {
    SqliteSpool spool = open();
    for (int i = 0; i < 4; i++) {
      get(spool.append(entry("a", 0, "m" + i)));
    }
    List<SpooledMessage> leased = get(spool.lease(4));
    get(spool.acknowledge(List.of(leased.get(0).id(), leased.get(1).id())));
    spool.release(List.of(leased.get(2).id(), leased.get(3).id()));

    assertThat(texts(get(spool.lease(10)))).containsExactly("m2", "m3");
    assertThat(spool.stats().depth()).isEqualTo(2);
  }

  @Test
  void aLeaseQueuedWithDeletesSkipsWhatIsLeasedAndALeaseAfterAReleaseKeepsDrainOrder()
      throws Exception {
    SqliteSpool spool = open();
    for (int i = 0; i < 10; i++) {
      get(spool.append(entry("telemetry", 0, "m" + i)));
    }
    List<Long> ids = get(spool.lease(5)).stream().map(SpooledMessage::id).toList();
    // queued together, as a draining link does: deletes of m0..m2, then its next lease, which the
    // writer may serve ahead of the deletes' commit
    CompletableFuture<Void> deleted = spool.acknowledge(ids.subList(0, 3), true);
    CompletableFuture<List<SpooledMessage>> next = spool.lease(5);
    assertThat(texts(get(next))).containsExactly("m5", "m6", "m7", "m8", "m9");
    get(deleted);
    // a lease queued after a release sees the released messages, in drain order
    spool.release(ids.subList(3, 5));
    assertThat(texts(get(spool.lease(5)))).containsExactly("m3", "m4");
    assertThat(spool.stats().depth()).isEqualTo(7);
  }

  @Test
  void idsKeepGrowingAfterTheSpoolDrainedEmptyAndReopened() throws Exception {
    SqliteSpool spool = open();
    long first = get(spool.append(entry("a", 0, "x")));
    get(spool.acknowledge(List.of(first)));
    spool.close();

    long second = get(open().append(entry("a", 0, "y")));
    assertThat(second).isGreaterThan(first);
    assertThat(first).isLessThan(1L << 53);
    assertThatThrownBy(() -> entry("a", 16, "x")).hasMessageStartingWith("priority:");
  }

  @Test
  void rejectNewFailsTheAppendWithSpoolFullAndCountsOverflow() throws Exception {
    SqliteSpool spool =
        open(SpoolOptions.in(dir).withMaxBytes(400L).withOverflowPolicy(OverflowPolicy.REJECT_NEW));
    get(spool.append(entry("a", 0, "x".repeat(200))));

    assertThatThrownBy(() -> get(spool.append(entry("a", 0, "y".repeat(200)))))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SpoolFullException.class);
    assertThat(spool.stats().dropped(DropReason.OVERFLOW)).isEqualTo(1);
    assertThat(registry.get("outpost.spool.dropped").tag("reason", "overflow").counter().count())
        .isEqualTo(1);
    assertThat(texts(get(spool.lease(10)))).containsExactly("x".repeat(200));
  }

  @Test
  void dropOldestEvictsLowerPriorityFirstAndNeverAHigherOne() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir).withMaxBytes(800L));
    get(spool.append(entry("a", 2, "keep-high".repeat(20))));
    get(spool.append(entry("a", 1, "old-low".repeat(20))));
    get(spool.append(entry("a", 1, "new-low".repeat(20))));
    get(spool.append(entry("a", 2, "new-high".repeat(20))));

    assertThat(texts(get(spool.lease(10))))
        .containsExactly("keep-high".repeat(20), "new-high".repeat(20), "new-low".repeat(20));
    assertThat(spool.stats().dropped(DropReason.OVERFLOW)).isEqualTo(1);
    assertThat(spool.stats().bytes()).isLessThanOrEqualTo(800);

    // a priority-0 message may not evict the higher-priority ones
    SqliteSpool full = spool;
    assertThatThrownBy(() -> get(full.append(entry("a", 0, "lowest".repeat(60)))))
        .hasCauseInstanceOf(SpoolFullException.class);
  }

  @Test
  void expiredMessagesAreNeverLeasedAndAreCountedAsTtlDrops() throws Exception {
    SqliteSpool spool = open();
    get(
        spool.append(
            new SpoolEntry("t", 0, "c/t", new byte[] {1}, 1, 1_000, List.of(), null, null, NOW)));
    get(spool.append(entry("t", 0, "forever")));
    clock.advance(Duration.ofSeconds(2));

    assertThat(texts(get(spool.lease(10)))).containsExactly("forever");
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spool.stats().dropped(DropReason.TTL) == 1);
    assertThat(spool.stats().depth()).isEqualTo(1);
  }

  @Test
  void rejectedMessagesGoToTheDeadLetterTableAndCanBeRetried() throws Exception {
    SqliteSpool spool = open();
    long id = get(spool.append(entry("a", 0, "poison")));
    get(spool.lease(1));
    get(spool.deadLetter(List.of(id), "puback 0x87 not authorized"));

    List<DeadLetter> letters = get(spool.deadLetters(10));
    assertThat(letters)
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.id()).isEqualTo(id);
              assertThat(letter.reason()).isEqualTo("puback 0x87 not authorized");
              assertThat(letter.failedAtMillis()).isEqualTo(NOW);
            });
    assertThat(spool.stats().dropped(DropReason.REJECTED_BY_CLOUD)).isEqualTo(1);
    assertThat(spool.stats().deadLetters()).isEqualTo(1);
    assertThat(spool.stats().depth()).isZero();

    assertThat(get(spool.retryDeadLetter(id))).isTrue();
    assertThat(get(spool.retryDeadLetter(id))).isFalse();
    assertThat(get(spool.lease(10))).extracting(SpooledMessage::id).containsExactly(id);
    assertThat(spool.stats().deadLetters()).isZero();
  }

  @Test
  void deadLetterTableIsBoundedAndCountsWhatItDeletes() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir).withDeadLetterMax(2));
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(get(spool.append(entry("a", 0, "p" + i))));
    }
    get(spool.deadLetter(ids, "too-large"));

    assertThat(get(spool.deadLetters(10))).hasSize(2);
    assertThat(spool.stats().dropped(DropReason.DEAD_LETTER_OVERFLOW)).isEqualTo(1);
  }

  @Test
  void corruptDatabaseIsMovedAsideAndAFreshOneStarted() throws Exception {
    Path file = dir.resolve(SpoolOptions.DATABASE_FILE);
    byte[] garbage =
        "this is not an sqlite database, it is garbage"
            .repeat(200)
            .getBytes(StandardCharsets.UTF_8);
    Files.write(file, garbage);

    SqliteSpool spool = open();
    assertThat(spool.quarantinedTo()).isNotNull();
    assertThat(Files.readAllBytes(spool.quarantinedTo())).isEqualTo(garbage);
    assertThat(registry.get("outpost.spool.corrupt.quarantined").counter().count()).isEqualTo(1);
    get(spool.append(entry("a", 0, "fresh")));
    assertThat(spool.stats().depth()).isEqualTo(1);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("spool.db.corrupt-"));
    }
  }

  @Test
  void fullDiskFailsAppendsClearlyAndRecoversWhenSpaceIsFreed() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir).withMaxFileBytes(256 * 1024L));
    List<Long> stored = new ArrayList<>();
    Throwable failure = null;
    for (int i = 0; i < 10_000 && failure == null; i++) {
      try {
        stored.add(get(spool.append(entry("a", 0, "z".repeat(1000)))));
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
    }
    assertThat(failure)
        .isInstanceOf(SpoolUnavailableException.class)
        .hasMessageContaining("disk full");
    assertThat(spool.stats().writable()).isFalse();
    assertThat(
            registry.get("outpost.spool.write.errors").tag("reason", "disk-full").counter().count())
        .isGreaterThanOrEqualTo(1);
    assertThat(spool.stats().depth()).isEqualTo(stored.size());

    get(spool.acknowledge(stored.subList(0, stored.size() / 2)));
    get(spool.append(entry("a", 0, "after-recovery")));
    assertThat(spool.stats().writable()).isTrue();
    spool.close();

    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SpoolOptions.DATABASE_FILE));
        ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
  }

  @Test
  void schemaCarriesItsVersionAndWalMode() throws Exception {
    open().close();
    try (Connection c =
        DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SpoolOptions.DATABASE_FILE))) {
      ResultSet version = c.createStatement().executeQuery("PRAGMA user_version");
      assertThat(version.getInt(1)).isEqualTo(SpoolSchema.CURRENT_VERSION);
      ResultSet mode = c.createStatement().executeQuery("PRAGMA journal_mode");
      assertThat(mode.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void bestEffortQos0CompletesWithoutWaitingAndIsStillDrained() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir).withSpoolQos0(false));
    SpoolEntry qos0 =
        new SpoolEntry("a", 0, "c/a", new byte[] {7}, 0, 0, List.of(), null, null, NOW);
    long id = get(spool.append(qos0));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(get(spool.lease(10)))
                    .extracting(SpooledMessage::id)
                    .containsExactly(id));
  }

  @Test
  void appendsAfterCloseFailAsUnavailable() {
    SqliteSpool spool = open();
    spool.close();
    spool.close();
    assertThatThrownBy(() -> get(spool.append(entry("a", 0, "late"))))
        .hasCauseInstanceOf(SpoolUnavailableException.class);
  }

  @Test
  void notifiesTheDrainWhenMessagesArrive() throws Exception {
    SqliteSpool spool = open();
    List<Integer> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    spool.onAvailable(() -> calls.add(1));
    get(spool.append(entry("a", 0, "x")));
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !calls.isEmpty());
    assertThat(calls).isNotEmpty();
  }

  @Test
  void rejectsInvalidOptionsNamingTheKey() {
    assertThatThrownBy(() -> SpoolOptions.defaults().withMaxBytes(0L))
        .hasMessageStartingWith("maxBytes:");
    assertThatThrownBy(() -> OverflowPolicy.fromKey("drop-newest"))
        .hasMessageStartingWith("overflowPolicy:");
    assertThat(OverflowPolicy.fromKey("drop-oldest")).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(SpoolOptions.defaults().synchronous()).isEqualTo(Synchronous.FULL);
  }
}
