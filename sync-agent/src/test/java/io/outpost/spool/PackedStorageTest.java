package io.outpost.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.testkit.MovableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the spool promises about messages that were stored in one group commit, whatever its storage
 * layout: removing some of them (acknowledge, dead letter, TTL, overflow) is durable and leaves the
 * others leasable in drain order, every field survives a reopen, and a version-1 database from an
 * earlier release is carried forward. Only the public {@link Spool} API is used, except to write
 * the legacy file.
 */
@Timeout(60)
class PackedStorageTest {
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
        List.of(),
        null,
        null,
        NOW);
  }

  private static SpoolEntry entry(String text) {
    return entry("telemetry", 0, text);
  }

  private static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(10, TimeUnit.SECONDS);
  }

  /**
   * Appends {@code entries} back to back and only then waits for them, so they share one group
   * commit: the prompt no-op delete first starts the wear budget's interval, which the appends then
   * wait for together instead of the first one committing alone. Returns their ids in order.
   */
  private static List<Long> appendInOneCommit(Spool spool, List<SpoolEntry> entries)
      throws Exception {
    get(spool.acknowledge(List.of(), true));
    List<CompletableFuture<Long>> appends = new ArrayList<>();
    for (SpoolEntry entry : entries) {
      appends.add(spool.append(entry));
    }
    List<Long> ids = new ArrayList<>();
    for (CompletableFuture<Long> append : appends) {
      ids.add(get(append));
    }
    return ids;
  }

  private static List<SpoolEntry> texts(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> entry(prefix + i)).toList();
  }

  private static List<String> texts(List<SpooledMessage> messages) {
    return messages.stream()
        .map(m -> new String(m.entry().payload(), StandardCharsets.UTF_8))
        .toList();
  }

  private static List<Long> ids(List<SpooledMessage> messages) {
    return messages.stream().map(SpooledMessage::id).toList();
  }

  private static long storedBytes(List<SpooledMessage> messages) {
    return messages.stream().mapToLong(SpooledMessage::storedBytes).sum();
  }

  @Test
  void messagesOfOneCommitAcknowledgedInPartStayAcknowledgedAfterReopen() throws Exception {
    SqliteSpool spool = open();
    List<Long> ids = appendInOneCommit(spool, texts("m", 10));
    long bytesOfAll = spool.stats().bytes();
    assertThat(ids(get(spool.lease(10)))).containsExactlyElementsOf(ids);

    get(spool.acknowledge(List.of(ids.get(0), ids.get(1), ids.get(2), ids.get(5))));
    assertThat(spool.stats().depth()).isEqualTo(6);
    long bytesBeforeClose = spool.stats().bytes();
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isEqualTo(6);
    List<SpooledMessage> rest = get(reopened.lease(10));
    assertThat(ids(rest))
        .containsExactly(ids.get(3), ids.get(4), ids.get(6), ids.get(7), ids.get(8), ids.get(9));
    assertThat(texts(rest)).containsExactly("m3", "m4", "m6", "m7", "m8", "m9");
    assertThat(reopened.stats().bytes())
        .isPositive()
        .isLessThan(bytesOfAll)
        .isEqualTo(bytesBeforeClose)
        .isEqualTo(storedBytes(rest));
  }

  @Test
  void deadLetteringOneMessageOfACommitIsDurableAndRetryPutsItBackInIdOrder() throws Exception {
    SqliteSpool spool = open();
    List<Long> ids = appendInOneCommit(spool, texts("m", 5));
    long poison = ids.get(2);
    assertThat(ids(get(spool.lease(5)))).containsExactlyElementsOf(ids);

    get(spool.deadLetter(List.of(poison), "puback 0x87 not authorized"));
    spool.release(List.of(ids.get(0), ids.get(1), ids.get(3), ids.get(4)));
    assertThat(texts(get(spool.lease(10)))).containsExactly("m0", "m1", "m3", "m4");
    assertThat(spool.stats().depth()).isEqualTo(4);
    assertThat(spool.stats().deadLetters()).isEqualTo(1);
    assertThat(spool.stats().dropped(DropReason.REJECTED_BY_CLOUD)).isEqualTo(1);
    assertDeadLetter(get(spool.deadLetters(10)), poison);
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isEqualTo(4);
    assertThat(reopened.stats().deadLetters()).isEqualTo(1);
    List<SpooledMessage> others = get(reopened.lease(10));
    assertThat(texts(others)).containsExactly("m0", "m1", "m3", "m4");
    assertDeadLetter(get(reopened.deadLetters(10)), poison);

    reopened.release(ids(others));
    assertThat(get(reopened.retryDeadLetter(poison))).isTrue();
    List<SpooledMessage> all = get(reopened.lease(10));
    assertThat(ids(all)).containsExactlyElementsOf(ids);
    assertThat(texts(all)).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(reopened.stats().deadLetters()).isZero();
    assertThat(reopened.stats().depth()).isEqualTo(5);

    get(reopened.acknowledge(ids));
    reopened.close();
    SqliteSpool drained = open();
    assertThat(drained.stats().depth()).isZero();
    assertThat(get(drained.lease(10))).isEmpty();
    assertThat(get(drained.deadLetters(10))).isEmpty();
  }

  private static void assertDeadLetter(List<DeadLetter> letters, long id) {
    assertThat(letters)
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.id()).isEqualTo(id);
              assertThat(letter.reason()).isEqualTo("puback 0x87 not authorized");
              assertThat(letter.failedAtMillis()).isEqualTo(NOW);
              assertThat(letter.entry().route()).isEqualTo("telemetry");
              assertThat(letter.entry().topic()).isEqualTo("cloud/telemetry");
              assertThat(new String(letter.entry().payload(), StandardCharsets.UTF_8))
                  .isEqualTo("m2");
            });
  }

  /** Entries {@code m0..} on route {@code t}, received {@code NOW}, with these times to live. */
  private static List<SpoolEntry> withTtls(long... ttls) {
    return IntStream.range(0, ttls.length)
        .mapToObj(
            i ->
                new SpoolEntry(
                    "t",
                    0,
                    "c/t",
                    ("m" + i).getBytes(StandardCharsets.UTF_8),
                    1,
                    ttls[i],
                    List.of(),
                    null,
                    null,
                    NOW))
        .toList();
  }

  @Test
  void expiredMessagesOfACommitAreDroppedAsTtlAndDoNotComeBackAfterReopen() throws Exception {
    SqliteSpool spool = open();
    List<SpoolEntry> entries = withTtls(1_000, 0, 1_000, 600_000, 1_000, 0);
    List<Long> ids = appendInOneCommit(spool, entries);
    clock.advance(Duration.ofSeconds(2));

    List<SpooledMessage> live = get(spool.lease(10));
    assertThat(ids(live)).containsExactly(ids.get(1), ids.get(3), ids.get(5));
    assertThat(texts(live)).containsExactly("m1", "m3", "m5");
    assertThat(live.get(1).entry().ttlMillis()).isEqualTo(600_000);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spool.stats().dropped(DropReason.TTL) == 3);
    assertThat(spool.stats().depth()).isEqualTo(3);
    long bytesBeforeClose = spool.stats().bytes();
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isEqualTo(3);
    assertThat(reopened.stats().bytes()).isEqualTo(bytesBeforeClose);
    assertThat(texts(get(reopened.lease(10)))).containsExactly("m1", "m3", "m5");
    assertThat(reopened.stats().dropped(DropReason.TTL))
        .as("the expired messages were deleted before the reopen, not expired again")
        .isZero();
  }

  @Test
  void theTtlSweepDeletesExpiredMessagesOfACommitThatWereNeverLeased() throws Exception {
    SqliteSpool spool = open(SpoolOptions.in(dir).withTtlSweepSeconds(60));
    List<SpoolEntry> entries = withTtls(30_000, 0, 30_000, 600_000, 30_000, 0);
    appendInOneCommit(spool, entries);
    clock.advance(Duration.ofSeconds(61));
    // the sweep runs with the next write the writer takes once its interval has passed
    get(spool.acknowledge(List.of(), true));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> spool.stats().dropped(DropReason.TTL) == 3);
    assertThat(spool.stats().depth()).isEqualTo(3);
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isEqualTo(3);
    assertThat(texts(get(reopened.lease(10)))).containsExactly("m1", "m3", "m5");
    assertThat(reopened.stats().dropped(DropReason.TTL)).isZero();
  }

  @Test
  void dropOldestEvictsTheOldestMessagesFirstAndLeavesTheRestOfTheirCommit() throws Exception {
    // every message is accounted the same size: 100-byte payloads, one topic, nothing else
    SqliteSpool measuring = open();
    appendInOneCommit(measuring, padded("a", 5));
    appendInOneCommit(measuring, padded("b", 5));
    long tenMessages = measuring.stats().bytes();
    measuring.close();

    // room for ten and a half messages: each new one evicts exactly one
    SqliteSpool spool =
        open(
            SpoolOptions.in(dir)
                .withMaxBytes(tenMessages + tenMessages / 20)
                .withOverflowPolicy(OverflowPolicy.DROP_OLDEST));
    appendInOneCommit(spool, padded("c", 3));

    assertThat(spool.stats().dropped(DropReason.OVERFLOW)).isEqualTo(3);
    assertThat(spool.stats().depth()).isEqualTo(10);
    long depth = spool.stats().depth();
    long bytes = spool.stats().bytes();
    assertThat(bytes).isEqualTo(tenMessages);
    List<String> survivors = List.of("a3", "a4", "b0", "b1", "b2", "b3", "b4", "c0", "c1", "c2");
    List<SpooledMessage> leased = get(spool.lease(20));
    assertThat(prefixes(leased)).containsExactlyElementsOf(survivors);
    assertThat(ids(leased)).isSorted();
    spool.close();

    SqliteSpool reopened = open(SpoolOptions.in(dir).withMaxBytes(tenMessages + tenMessages / 20));
    assertThat(reopened.stats().depth()).isEqualTo(depth);
    assertThat(reopened.stats().bytes()).isEqualTo(bytes);
    List<SpooledMessage> again = get(reopened.lease(20));
    assertThat(prefixes(again)).containsExactlyElementsOf(survivors);
    assertThat(ids(again)).containsExactlyElementsOf(ids(leased));
  }

  /** Entries {@code <prefix>0..} whose payloads are padded to 100 bytes. */
  private static List<SpoolEntry> padded(String prefix, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> entry("a", 0, (prefix + i + ":").concat(".".repeat(100)).substring(0, 100)))
        .toList();
  }

  private static List<String> prefixes(List<SpooledMessage> messages) {
    return texts(messages).stream().map(t -> t.substring(0, t.indexOf(':'))).toList();
  }

  @Test
  void mixedPrioritiesAndRoutesOfOneCommitDrainByPriorityThenFifoAlsoAfterReopen()
      throws Exception {
    SqliteSpool spool = open();
    int[] priorities = {0, 5, 15};
    List<SpoolEntry> entries = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      String route = i % 2 == 0 ? "a" : "b";
      int priority = priorities[i % 3];
      entries.add(entry(route, priority, "p" + priority + route + i));
    }
    appendInOneCommit(spool, entries);
    List<String> drainOrder =
        List.of("p15a2", "p15b5", "p15a8", "p5b1", "p5a4", "p5b7", "p0a0", "p0b3", "p0a6");

    List<SpooledMessage> leased = get(spool.lease(20));
    assertThat(texts(leased)).containsExactlyElementsOf(drainOrder);
    assertThat(ids(leased)).isSorted();
    assertThat(leased)
        .extracting(m -> m.entry().priority())
        .containsExactly(15, 15, 15, 5, 5, 5, 0, 0, 0);
    assertThat(spool.stats().depthByRoute()).isEqualTo(Map.of("a", 5L, "b", 4L));
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depthByRoute()).isEqualTo(Map.of("a", 5L, "b", 4L));
    List<SpooledMessage> again = get(reopened.lease(20));
    assertThat(texts(again)).containsExactlyElementsOf(drainOrder);
    assertThat(again)
        .extracting(m -> m.entry().route())
        .containsExactly("a", "b", "a", "b", "a", "b", "a", "b", "a");

    // removing the highest priority from the middle of the commit
    get(reopened.acknowledge(ids(again).subList(0, 3)));
    assertThat(reopened.stats().depthByRoute()).isEqualTo(Map.of("a", 3L, "b", 3L));
    reopened.close();
    SqliteSpool third = open();
    assertThat(third.stats().depthByRoute()).isEqualTo(Map.of("a", 3L, "b", 3L));
    assertThat(texts(get(third.lease(20)))).containsExactlyElementsOf(drainOrder.subList(3, 9));
  }

  @Test
  void everyStoredFieldSurvivesAReopen() throws Exception {
    byte[] large = new byte[64 * 1024];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i * 31 + 7);
    }
    List<SpoolEntry> entries =
        List.of(
            new SpoolEntry(
                "bare", 0, "devices/d0/empty", new byte[0], 0, 0, List.of(), null, null, NOW),
            new SpoolEntry(
                "rich",
                7,
                "geräte/温度/ü",
                "héllo ✓".getBytes(StandardCharsets.UTF_8),
                1,
                3_600_000,
                List.of(
                    Map.entry("k1", "v1"),
                    Map.entry("ключ", "значение"),
                    Map.entry("emoji", "🚀 ✓"),
                    Map.entry("k1", "again"),
                    Map.entry("", "")),
                "application/json; charset=utf-8",
                "sensor-ü-7",
                NOW - 1_234),
            new SpoolEntry(
                "rich",
                15,
                "devices/d2/alarm",
                new byte[] {0, -1, 2},
                1,
                60_000,
                List.of(Map.entry("only", "one")),
                "text/plain",
                null,
                NOW - 5_000),
            new SpoolEntry(
                "bare",
                3,
                "devices/d3/raw",
                new byte[] {42},
                0,
                0,
                List.of(),
                null,
                "dev-3",
                NOW - 1),
            // last: 64 KiB of payload ends a gathering commit, so whatever came after it would not
            // share the commit
            new SpoolEntry(
                "bulk",
                0,
                "devices/d4/blob",
                large,
                1,
                0,
                List.of(Map.entry("part", "1/1")),
                "application/octet-stream",
                "d4",
                NOW));
    SqliteSpool spool = open();
    List<Long> ids = appendInOneCommit(spool, entries);
    // drain order: priority 15, 7, 3, then the two of priority 0 in append order
    List<Integer> order = List.of(2, 1, 3, 0, 4);

    assertRoundTrip(get(spool.lease(10)), ids, entries, order);
    spool.close();
    assertRoundTrip(get(open().lease(10)), ids, entries, order);
  }

  private static void assertRoundTrip(
      List<SpooledMessage> leased, List<Long> ids, List<SpoolEntry> entries, List<Integer> order) {
    assertThat(leased).hasSize(order.size());
    for (int i = 0; i < order.size(); i++) {
      SpooledMessage message = leased.get(i);
      SpoolEntry expected = entries.get(order.get(i));
      SpoolEntry actual = message.entry();
      String what = "message " + order.get(i);
      assertThat(message.id()).as(what).isEqualTo(ids.get(order.get(i)));
      assertThat(actual.route()).as(what).isEqualTo(expected.route());
      assertThat(actual.priority()).as(what).isEqualTo(expected.priority());
      assertThat(actual.topic()).as(what).isEqualTo(expected.topic());
      assertThat(actual.payload()).as(what).isEqualTo(expected.payload());
      assertThat(actual.qos()).as(what).isEqualTo(expected.qos());
      assertThat(actual.ttlMillis()).as(what).isEqualTo(expected.ttlMillis());
      assertThat(actual.userProperties())
          .as(what)
          .containsExactlyElementsOf(expected.userProperties());
      assertThat(actual.contentType()).as(what).isEqualTo(expected.contentType());
      assertThat(actual.originClientId()).as(what).isEqualTo(expected.originClientId());
      assertThat(actual.receivedAtMillis()).as(what).isEqualTo(expected.receivedAtMillis());
      assertThat(actual.expiresAtMillis()).as(what).isEqualTo(expected.expiresAtMillis());
    }
  }

  /**
   * The schema of version 1 (the first migration of {@code SpoolSchema}), copied as released: a
   * database written by that release must open with its messages whatever the layout is now.
   */
  private static final List<String> VERSION_1_SCHEMA =
      List.of(
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
          "CREATE TABLE name(id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)",
          "CREATE TABLE message(id INTEGER PRIMARY KEY, route_id INTEGER NOT NULL, topic_id INTEGER NOT NULL,"
              + " origin_id INTEGER, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
              + " content_type TEXT, props BLOB, payload BLOB NOT NULL, size INTEGER NOT NULL)",
          "CREATE INDEX message_expiry ON message(expires_at) WHERE expires_at > 0",
          "CREATE TABLE dead_letter(id INTEGER PRIMARY KEY, route_id INTEGER NOT NULL, topic_id INTEGER NOT NULL,"
              + " origin_id INTEGER, qos INTEGER NOT NULL, expires_at INTEGER NOT NULL, received_at INTEGER NOT NULL,"
              + " content_type TEXT, props BLOB, payload BLOB NOT NULL, size INTEGER NOT NULL, reason TEXT NOT NULL,"
              + " failed_at INTEGER NOT NULL)",
          "CREATE INDEX dead_letter_age ON dead_letter(failed_at)");

  @Test
  void aVersion1DatabaseOpensWithItsMessagesFirstInDrainOrder() throws Exception {
    String topic = "cloud/legacy";
    List<Long> legacyIds =
        List.of(SpoolKeys.id(0, 100), SpoolKeys.id(0, 101), SpoolKeys.id(0, 102));
    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SpoolOptions.DATABASE_FILE));
        Statement statement = c.createStatement()) {
      try (ResultSet mode = statement.executeQuery("PRAGMA journal_mode=WAL")) {
        assertThat(mode.next()).isTrue();
        assertThat(mode.getString(1)).isEqualTo("wal");
      }
      for (String sql : VERSION_1_SCHEMA) {
        statement.execute(sql);
      }
      statement.execute("PRAGMA user_version = 1");
      statement.execute("INSERT INTO name(id, text) VALUES (1, 'legacy'), (2, '" + topic + "')");
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO message(id, route_id, topic_id, origin_id, qos, expires_at, received_at,"
                  + " content_type, props, payload, size) VALUES (?, 1, 2, NULL, 1, 0, ?, NULL, NULL, ?, ?)")) {
        for (int i = 0; i < legacyIds.size(); i++) {
          byte[] payload = ("old-" + (100 + i)).getBytes(StandardCharsets.UTF_8);
          insert.setLong(1, legacyIds.get(i));
          insert.setLong(2, NOW - 60_000 + i);
          insert.setBytes(3, payload);
          insert.setInt(4, payload.length + 32 + topic.length());
          insert.executeUpdate();
        }
      }
    }

    SqliteSpool spool = open();
    assertThat(spool.stats().depth()).isEqualTo(3);
    assertThat(spool.stats().depthByRoute()).isEqualTo(Map.of("legacy", 3L));
    long legacyBytes = spool.stats().bytes();
    assertThat(legacyBytes).isPositive();
    List<Long> newIds =
        appendInOneCommit(spool, List.of(entry("legacy", 0, "new-1"), entry("legacy", 0, "new-2")));
    assertThat(newIds).allSatisfy(id -> assertThat(id).isGreaterThan(legacyIds.get(2)));

    List<SpooledMessage> leased = get(spool.lease(10));
    assertThat(texts(leased)).containsExactly("old-100", "old-101", "old-102", "new-1", "new-2");
    assertThat(ids(leased).subList(0, 3)).containsExactlyElementsOf(legacyIds);
    assertThat(ids(leased).subList(3, 5)).containsExactlyElementsOf(newIds);
    for (int i = 0; i < 3; i++) {
      SpoolEntry legacy = leased.get(i).entry();
      assertThat(legacy.route()).isEqualTo("legacy");
      assertThat(legacy.topic()).isEqualTo(topic);
      assertThat(legacy.qos()).isEqualTo(1);
      assertThat(legacy.ttlMillis()).isZero();
      assertThat(legacy.userProperties()).isEmpty();
      assertThat(legacy.contentType()).isNull();
      assertThat(legacy.originClientId()).isNull();
      assertThat(legacy.receivedAtMillis()).isEqualTo(NOW - 60_000 + i);
    }

    get(spool.acknowledge(ids(leased)));
    assertThat(spool.stats().depth()).isZero();
    spool.close();
    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isZero();
    assertThat(reopened.stats().bytes()).isZero();
    assertThat(get(reopened.lease(10))).isEmpty();
  }

  /** Appends 30 commits of 7 messages; returns their ids in append order. */
  private static List<Long> thirtyCommitsOfSeven(Spool spool) throws Exception {
    List<Long> ids = new ArrayList<>();
    for (int commit = 0; commit < 30; commit++) {
      ids.addAll(appendInOneCommit(spool, texts("c" + commit + "-", 7)));
    }
    return ids;
  }

  /** Leases chunks of 50 and acknowledges each until the spool is empty; returns the ids seen. */
  private static List<Long> drain(Spool spool) throws Exception {
    List<Long> seen = new ArrayList<>();
    List<SpooledMessage> chunk;
    while (!(chunk = get(spool.lease(50))).isEmpty()) {
      seen.addAll(ids(chunk));
      get(spool.acknowledge(ids(chunk)));
    }
    return seen;
  }

  @Test
  void manyCommitsDrainInChunksEveryIdOnceInOrder() throws Exception {
    SqliteSpool spool = open();
    List<Long> ids = thirtyCommitsOfSeven(spool);
    assertThat(ids).hasSize(210).isSorted().doesNotHaveDuplicates();
    assertThat(spool.stats().depth()).isEqualTo(210);

    assertThat(drain(spool)).containsExactlyElementsOf(ids);
    assertThat(spool.stats().depth()).isZero();
    assertThat(spool.stats().bytes()).isZero();
    spool.close();
    assertThat(open().stats().depth()).isZero();
  }

  @Test
  void aReopenMidDrainNeitherBringsBackAcknowledgedNorLosesUnacknowledged() throws Exception {
    SqliteSpool spool = open();
    List<Long> ids = thirtyCommitsOfSeven(spool);
    for (int chunk = 0; chunk < 2; chunk++) {
      List<SpooledMessage> leased = get(spool.lease(50));
      assertThat(ids(leased)).containsExactlyElementsOf(ids.subList(chunk * 50, chunk * 50 + 50));
      get(spool.acknowledge(ids(leased)));
    }
    // the third chunk is in flight, only its first 20 acknowledged, when the spool closes
    List<SpooledMessage> inFlight = get(spool.lease(50));
    assertThat(ids(inFlight)).containsExactlyElementsOf(ids.subList(100, 150));
    get(spool.acknowledge(ids(inFlight).subList(0, 20)));
    assertThat(spool.stats().depth()).isEqualTo(90);
    long bytesBeforeClose = spool.stats().bytes();
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isEqualTo(90);
    assertThat(reopened.stats().bytes()).isEqualTo(bytesBeforeClose);
    assertThat(drain(reopened)).containsExactlyElementsOf(ids.subList(120, 210));
    assertThat(reopened.stats().depth()).isZero();
    reopened.close();
    assertThat(open().stats().depth()).isZero();
  }

  @Test
  void aBacklogLargerThanThePacksKeptInMemoryDrainsOnceAndInOrderAcrossAReopen() throws Exception {
    SqliteSpool spool = open();
    int total = PackTable.CACHE_MESSAGES + 10_000;
    List<Long> ids = new ArrayList<>(total);
    for (int from = 0; from < total; from += 8_192) {
      // in rounds that stay below the writer's queue bound
      List<CompletableFuture<Long>> appends = new ArrayList<>();
      for (int i = from; i < Math.min(total, from + 8_192); i++) {
        appends.add(spool.append(entry("a", 0, "m" + i)));
      }
      for (CompletableFuture<Long> append : appends) {
        ids.add(get(append));
      }
    }
    // lease everything before acknowledging anything: more packs are read than stay in memory
    List<Long> leased = new ArrayList<>(total);
    List<SpooledMessage> chunk;
    while (!(chunk = get(spool.lease(5_000))).isEmpty()) {
      leased.addAll(ids(chunk));
    }
    assertThat(leased).containsExactlyElementsOf(ids);
    // acknowledge every other message, newest first, then the first half of the rest
    List<Long> everyOther = new ArrayList<>();
    for (int i = total - 1; i >= 0; i -= 2) {
      everyOther.add(ids.get(i));
    }
    get(spool.acknowledge(everyOther));
    List<Long> rest = new ArrayList<>();
    for (int i = total - 2; i >= 0; i -= 2) {
      rest.add(ids.get(i));
    }
    Collections.reverse(rest);
    get(spool.acknowledge(rest.subList(0, rest.size() / 2)));
    long depth = spool.stats().depth();
    long bytes = spool.stats().bytes();
    assertThat(depth).isEqualTo(rest.size() - rest.size() / 2);
    spool.close();

    SqliteSpool reopened = open();
    assertThat(reopened.stats().depth()).isEqualTo(depth);
    assertThat(reopened.stats().bytes()).isEqualTo(bytes);
    List<Long> drained = new ArrayList<>();
    while (!(chunk = get(reopened.lease(5_000))).isEmpty()) {
      drained.addAll(ids(chunk));
      get(reopened.acknowledge(ids(chunk)));
    }
    assertThat(drained).containsExactlyElementsOf(rest.subList(rest.size() / 2, rest.size()));
    assertThat(reopened.stats().depth()).isZero();
  }
}
