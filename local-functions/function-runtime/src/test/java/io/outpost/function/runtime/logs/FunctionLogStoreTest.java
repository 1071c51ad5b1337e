package io.outpost.function.runtime.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.FunctionLogRecord;
import io.outpost.function.runtime.LogSource;
import io.outpost.testkit.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class FunctionLogStoreTest {

  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MovableClock clock = MovableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
  private FunctionLogStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private FunctionLogStore open(FunctionLogOptions options) {
    store = new FunctionLogStore(dir, options, registry, clock);
    store.start();
    return store;
  }

  private List<FunctionLogRecord> read(String function, Instant since, int lines) throws Exception {
    return store.read(function, since, lines).get(10, TimeUnit.SECONDS);
  }

  private static List<String> messages(List<FunctionLogRecord> records) {
    return records.stream().map(FunctionLogRecord::message).toList();
  }

  private double counter(String name, String reason) {
    var search = registry.find(name);
    if (reason != null) {
      search = search.tag("reason", reason);
    }
    var c = search.counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void keepsEachFunctionsLinesApartAndReadsTheNewestInOrder() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    for (int i = 0; i < 5; i++) {
      store.append("alpha", "INFO", LogSource.HANDLER, "inv-" + i, "alpha " + i);
      store.append("beta", "WARN", LogSource.STDERR, null, "beta " + i);
    }

    List<FunctionLogRecord> alpha = read("alpha", null, 3);

    assertThat(messages(alpha)).containsExactly("alpha 2", "alpha 3", "alpha 4");
    assertThat(alpha.get(0).source()).isEqualTo(LogSource.HANDLER);
    assertThat(alpha.get(0).invocationId()).isEqualTo("inv-2");
    assertThat(alpha.get(0).time()).isEqualTo(clock.instant());
    assertThat(read("beta", null, 100)).hasSize(5).allMatch(r -> r.level().equals("WARN"));
    assertThat(read("gamma", null, 100)).isEmpty();
  }

  @Test
  void sinceLeavesOutOlderLines() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "old");
    clock.advance(Duration.ofMinutes(20));
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "new");

    assertThat(messages(read("alpha", clock.instant().minus(Duration.ofMinutes(10)), 100)))
        .containsExactly("new");
  }

  @Test
  void rotatesWithinTheFunctionsByteBoundAndKeepsTheNewestLines() throws Exception {
    FunctionLogOptions options = new FunctionLogOptions(12_000L, 3, 200, null, null);
    open(options);
    for (int i = 0; i < 2_000; i++) {
      store.append("chatty", "INFO", LogSource.HANDLER, null, "line " + i + " " + "x".repeat(40));
    }

    List<FunctionLogRecord> last = read("chatty", null, 10_000);

    assertThat(last).isNotEmpty().hasSizeLessThan(2_000);
    assertThat(last.get(last.size() - 1).message()).startsWith("line 1999 ");
    assertThat(messages(last)).isSortedAccordingTo(java.util.Comparator.comparing(m -> index(m)));
    try (Stream<Path> files = Files.list(dir.resolve("chatty"))) {
      List<Path> all = files.toList();
      assertThat(all).hasSizeLessThanOrEqualTo(3);
      long total = 0;
      for (Path p : all) {
        total += Files.size(p);
      }
      assertThat(total).isLessThanOrEqualTo(options.maxBytesPerFunction());
    }
  }

  private static int index(String message) {
    return Integer.parseInt(message.split(" ")[1]);
  }

  @Test
  void cutsLongLinesAndCountsThem() throws Exception {
    open(new FunctionLogOptions(null, null, 100, null, null));
    store.append("alpha", "INFO", LogSource.STDERR, null, "é".repeat(300));

    String kept = read("alpha", null, 1).get(0).message();

    assertThat(kept).endsWith(" [truncated]").startsWith("éé");
    assertThat(kept.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(100);
    assertThat(counter(FunctionLogStore.TRUNCATED_METER, null)).isEqualTo(1);
  }

  @Test
  void dropsAndCountsLinesWhenTheWriterIsBehindWithoutBlocking() throws Exception {
    store =
        new FunctionLogStore(
            dir, new FunctionLogOptions(null, null, null, 10, null), registry, clock);
    // the writer has not started: the queue fills and stays full
    for (int i = 0; i < 15; i++) {
      store.append("alpha", "INFO", LogSource.HANDLER, null, "line " + i);
    }
    assertThat(counter(FunctionLogStore.DROPPED_METER, "queue-full")).isEqualTo(5);

    store.start();

    assertThat(messages(read("alpha", null, 100)))
        .hasSize(10)
        .startsWith("line 0")
        .endsWith("line 9");
  }

  @Test
  void keepsLinesAcrossARestart() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    store.append("alpha", "ERROR", LogSource.RUNTIME, null, "before the restart");
    store.close();

    open(FunctionLogOptions.DEFAULTS);
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "after the restart");

    assertThat(messages(read("alpha", null, 10)))
        .containsExactly("before the restart", "after the restart");
  }

  @Test
  void linesAfterCloseAreCountedAsDropped() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    store.close();

    store.append("alpha", "INFO", LogSource.RUNTIME, null, "too late");

    assertThat(counter(FunctionLogStore.DROPPED_METER, "stopped")).isEqualTo(1);
    assertThat(read("alpha", null, 10)).isEmpty();
  }

  @Test
  void aFollowerGetsTheRecentHistoryThenEachNewLineWithoutAGap() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "one");
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "two");
    List<String> seen = new CopyOnWriteArrayList<>();

    AutoCloseable follow =
        store.tryFollow("alpha", null, 1, r -> seen.add(r.message())).orElseThrow();
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "three");
    store.append("beta", "INFO", LogSource.RUNTIME, null, "not alpha");
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    follow.close();
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "four");
    read("alpha", null, 1); // the writer is past "four"

    assertThat(seen).containsExactly("two", "three");
  }

  @Test
  void followsAreBoundedAndCounted() throws Exception {
    open(new FunctionLogOptions(null, null, null, null, 1));
    AutoCloseable first = store.tryFollow("alpha", null, 0, r -> {}).orElseThrow();

    assertThat(store.tryFollow("alpha", null, 0, r -> {})).isEmpty();
    assertThat(counter("outpost.function.logs.follow.rejected", null)).isEqualTo(1);
    first.close();
    assertThat(store.tryFollow("alpha", null, 0, r -> {})).isPresent();
  }

  @Test
  void deletingAFunctionsLogRemovesItsFiles() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    store.append("alpha", "INFO", LogSource.RUNTIME, null, "soon gone");
    read("alpha", null, 1);
    assertThat(dir.resolve("alpha")).isDirectory();

    store.delete("alpha").get(10, TimeUnit.SECONDS);

    assertThat(dir.resolve("alpha")).doesNotExist();
    assertThat(read("alpha", null, 10)).isEmpty();
  }

  @Test
  void ignoresNamesThatAreNotFunctionNames() throws Exception {
    open(FunctionLogOptions.DEFAULTS);
    store.append("../escape", "INFO", LogSource.RUNTIME, null, "no");

    assertThat(read("../escape", null, 10)).isEmpty();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void skipsALineCutByACrash() throws Exception {
    Files.createDirectories(dir.resolve("alpha"));
    Files.writeString(
        dir.resolve("alpha").resolve(RotatingLog.FILE),
        "{\"time\":\"2026-01-01T00:00:00Z\",\"level\":\"INFO\",\"source\":\"handler\","
            + "\"message\":\"whole\"}\n{\"time\":\"2026-01-01T00:00");
    open(FunctionLogOptions.DEFAULTS);

    assertThat(messages(read("alpha", null, 10))).containsExactly("whole");
  }

  @Test
  void rejectsBoundsThatCannotHold() {
    assertThatThrownBy(() -> new FunctionLogOptions(1_000L, 3, 4_096, null, null))
        .hasMessageStartingWith("maxBytesPerFunction: must be >=");
    assertThatThrownBy(() -> new FunctionLogOptions(null, 0, null, null, null))
        .hasMessageStartingWith("maxFiles:");
    assertThatThrownBy(() -> new FunctionLogOptions(null, null, 10, null, null))
        .hasMessageStartingWith("maxLineBytes:");
    assertThat(FunctionLogOptions.DEFAULTS.maxBytesPerFunction()).isEqualTo(1L << 20);
    assertThat(FunctionLogOptions.DEFAULTS.maxFiles()).isEqualTo(3);
  }

  @Test
  void theDiscardingStoreKeepsNothing() throws Exception {
    FunctionLogStore discarding = FunctionLogStore.discarding();
    discarding.append("alpha", "INFO", LogSource.RUNTIME, null, "ignored");

    assertThat(discarding.read("alpha", null, 10).get(1, TimeUnit.SECONDS)).isEmpty();
    discarding.close();
  }
}
