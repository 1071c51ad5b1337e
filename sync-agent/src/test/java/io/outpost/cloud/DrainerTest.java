package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.spool.DeadLetter;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drain on a real spool file and a real link thread, with a connection the test answers and a
 * test ticker.
 */
@Timeout(60)
class DrainerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private final List<String> reconnects = new CopyOnWriteArrayList<>();
  private ScheduledThreadPoolExecutor link;
  private SqliteSpool spool;
  private CloudMetrics metrics;

  @BeforeEach
  void setUp() {
    link = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-cloud-link"));
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, Clock.systemUTC());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    link.shutdownNow();
    assertThat(link.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    if (metrics != null) {
      metrics.close();
    }
    spool.close();
  }

  private Drainer drainer(CloudOptions options) {
    Drainer drainer = new Drainer(options, spool, link, ticker::get, reconnects::add);
    metrics = new CloudMetrics(registry, null, drainer::inflight, drainer::pendingDeletes);
    drainer.metrics(metrics);
    spool.onAvailable(drainer::signal);
    return drainer;
  }

  private Drainer gatedDrainer(CloudOptions options, GatedSpool gated) {
    Drainer drainer = new Drainer(options, gated, link, ticker::get, reconnects::add);
    metrics = new CloudMetrics(registry, null, drainer::inflight, drainer::pendingDeletes);
    drainer.metrics(metrics);
    return drainer;
  }

  private double pendingDeletesGauge() {
    return registry.get("outpost.cloud.deletes.pending").gauge().value();
  }

  private double pausedForDeletes() {
    return registry
        .get("outpost.cloud.drain.paused")
        .tag("reason", "pending-deletes")
        .counter()
        .count();
  }

  private static List<String> texts(int from, int to) {
    return java.util.stream.IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
  }

  private static CloudOptions options() {
    return CloudOptions.of("tcp://127.0.0.1:1", "edge-1")
        .withInflightWindow(10)
        .withAckTimeoutSeconds(5);
  }

  private void onLink(Runnable task) throws Exception {
    link.submit(task).get(10, TimeUnit.SECONDS);
  }

  /**
   * Waits until the drain has read ahead at least {@code count} messages (sent, or waiting to be
   * sent) and the lease that brought them has landed in its ready queue: the read-ahead lease is
   * asynchronous, and a test that acknowledges publishes before it lands finds nothing to send.
   */
  private void awaitReadAhead(long count) throws Exception {
    await().atMost(WAIT).until(() -> spool.stats().leased() >= count);
    // the spool's writer completes the lease, which hands it to the link thread, before it answers
    // a later read; the lease's future may also have completed before the drain took it, in a task
    // still running on the link thread: after a second round trip the hand-off has run
    spool.deadLetters(1).get(10, TimeUnit.SECONDS);
    onLink(() -> {});
    onLink(() -> {});
  }

  private void append(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      spool
          .append(
              new SpoolEntry(
                  "telemetry",
                  0,
                  "devices/d1/telemetry",
                  ("m" + i).getBytes(StandardCharsets.UTF_8),
                  1,
                  0,
                  List.of(),
                  null,
                  "d1",
                  1_800_000_000_000L))
          .get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void publishesInDrainOrderAndDeletesOnlyAfterThePuback() throws Exception {
    append(5);
    Drainer drainer = drainer(options());
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));

    await().atMost(WAIT).until(() -> cloud.sent.size() == 5);
    assertThat(cloud.sent)
        .extracting(ScriptedTransport.Sent::text)
        .containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(spool.stats().depth()).as("nothing deleted before its PUBACK").isEqualTo(5);

    cloud.sent.get(0).puback().complete(0);
    cloud.sent.get(1).puback().complete(0);
    await().atMost(WAIT).until(() -> spool.stats().depth() == 3);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    assertThat(registry.get("outpost.cloud.delivered").counter().count()).isEqualTo(5);
    assertThat(registry.get("outpost.cloud.drain.rate").gauge().value()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void acknowledgementsThatArriveWhileADeleteIsInFlightAreDeletedTogetherWhenItCompletes()
      throws Exception {
    append(6);
    GatedSpool gated = new GatedSpool(spool);
    gated.gate = new CompletableFuture<>();
    Drainer drainer = new Drainer(options(), gated, link, ticker::get, reconnects::add);
    metrics = new CloudMetrics(registry, null, drainer::inflight, drainer::pendingDeletes);
    drainer.metrics(metrics);
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));
    await().atMost(WAIT).until(() -> cloud.sent.size() == 6);

    cloud.sent.get(0).puback().complete(0);
    assertThat(gated.deletes).as("the first delete goes at once").hasSize(1);
    CompletableFuture<Void> first = gated.gate;
    gated.gate = CompletableFuture.completedFuture(null);
    for (int i = 1; i < 6; i++) {
      cloud.sent.get(i).puback().complete(0);
    }
    assertThat(gated.deletes).as("later ones gather while it is in flight").hasSize(1);
    first.complete(null);
    await().atMost(WAIT).until(() -> gated.deletes.size() == 2);
    assertThat(gated.deletes.get(0)).hasSize(1);
    assertThat(gated.deletes.get(1)).as("one delete for the five gathered").hasSize(5);
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    assertThat(registry.get("outpost.cloud.delivered").counter().count()).isEqualTo(6);
  }

  @Test
  void keepsPublishingWhileDeletesArePendingAndPausesAtThePendingDeletesBound() throws Exception {
    append(60);
    GatedSpool gated = new GatedSpool(spool);
    gated.gate = new CompletableFuture<>(); // no delete reaches the spool for now
    Drainer drainer = gatedDrainer(options().withPendingDeletes(25), gated); // window 10
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));

    await().atMost(WAIT).until(() -> cloud.sent.size() == 10);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> cloud.sent.size() == 20);
    assertThat(pendingDeletesGauge())
        .as("ten acknowledged publishes wait for their delete, and ten more went out meanwhile")
        .isEqualTo(10);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> cloud.sent.size() == 30);
    assertThat(pausedForDeletes()).as("20 pending < 25: not held yet").isZero();

    // each PUBACK adds a pending delete and frees a slot: a publish goes out while fewer than 25
    // wait, so after 21, 22, 23 and 24 pending, and not after 25 (the four were read ahead)
    awaitReadAhead(30 + 4);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> pendingDeletesGauge() == 30);
    onLink(drainer::pump);
    onLink(drainer::tick);
    assertThat(cloud.sent).hasSize(34);
    assertThat(cloud.unanswered() + (long) pendingDeletesGauge())
        .as("what a crash now could send twice: within window + pendingDeletes")
        .isEqualTo(34)
        .isLessThanOrEqualTo(10 + 25);
    assertThat(pausedForDeletes()).as("one pause, however often the drain looked").isEqualTo(1);
    assertThat(spool.stats().depth()).as("nothing deleted yet").isEqualTo(60);

    CompletableFuture<Void> held = gated.gate;
    gated.gate = CompletableFuture.completedFuture(null);
    held.complete(null);
    await().atMost(WAIT).until(() -> cloud.sent.size() == 40);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> cloud.sent.size() == 50);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> cloud.sent.size() == 60);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    assertThat(cloud.sent)
        .extracting(ScriptedTransport.Sent::text)
        .containsExactlyElementsOf(texts(0, 60));
    assertThat(gated.deletes.stream().flatMap(List::stream).toList())
        .as("every acknowledged id deleted once, in the order of the PUBACKs")
        .hasSize(60)
        .doesNotHaveDuplicates()
        .isSorted();
    await().atMost(WAIT).until(() -> pendingDeletesGauge() == 0);
  }

  @Test
  void aDeleteAsksForAPromptCommitOnceHalfThePendingDeletesAreUsedEvenWhileOneWaitsForTheBudget()
      throws Exception {
    append(12);
    GatedSpool gated = new GatedSpool(spool);
    gated.gate = new CompletableFuture<>(); // the first delete waits, as for the budget's interval
    Drainer drainer = gatedDrainer(options().withPendingDeletes(10), gated);
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));
    await().atMost(WAIT).until(() -> cloud.sent.size() == 10);

    cloud.sent.get(0).puback().complete(0);
    assertThat(gated.prompts).as("1 of 10 pending: shares the wear budget").containsExactly(false);
    for (int i = 1; i < 4; i++) {
      cloud.sent.get(i).puback().complete(0);
    }
    assertThat(gated.prompts).as("4 of 10 pending: they gather behind the first").hasSize(1);
    cloud.sent.get(4).puback().complete(0);
    assertThat(gated.prompts)
        .as("5 of 10 pending: past half the bound, a prompt delete ends the first one's wait")
        .containsExactly(false, true);
    assertThat(gated.deletes.get(1)).hasSize(4);
    for (int i = 5; i < 10; i++) {
      cloud.sent.get(i).puback().complete(0);
    }
    assertThat(gated.prompts).as("one prompt delete at a time").hasSize(2);

    CompletableFuture<Void> held = gated.gate;
    gated.gate = CompletableFuture.completedFuture(null);
    held.complete(null);
    await().atMost(WAIT).until(() -> gated.prompts.size() == 3);
    assertThat(gated.deletes.get(2)).as("the five gathered meanwhile").hasSize(5);
    await().atMost(WAIT).until(() -> cloud.sent.size() == 12);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
  }

  @Test
  void afterARestartAcknowledgedMessagesWhoseDeleteNeverCommittedAreSentAgainAndNoneIsLost()
      throws Exception {
    int window = 10;
    int pendingDeletes = 15;
    append(40);
    GatedSpool gated = new GatedSpool(spool);
    gated.gate = new CompletableFuture<>(); // the deletes never reach the spool file
    Drainer first = gatedDrainer(options().withPendingDeletes(pendingDeletes), gated);
    ScriptedTransport before = new ScriptedTransport(65_535);
    onLink(() -> first.online(before));
    await().atMost(WAIT).until(() -> before.sent.size() == 10);
    before.ackAll();
    await().atMost(WAIT).until(() -> before.sent.size() == 20);
    awaitReadAhead(20 + 4);
    before.ackAll(); // m20..m23 go out as pending deletes rise to 14, then the bound holds
    await().atMost(WAIT).until(() -> pendingDeletesGauge() == 20);
    assertThat(before.sent).hasSize(24);
    assertThat(before.unanswered()).isEqualTo(4);

    // the process dies before any delete commits: the spool file holds every message still (the
    // link going offline only forgets what this process had leased, in memory)
    onLink(first::offline);
    metrics.close();
    spool.close();
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, Clock.systemUTC());
    assertThat(spool.stats().depth()).isEqualTo(40);
    Drainer second = drainer(options().withPendingDeletes(pendingDeletes));
    ScriptedTransport after = new ScriptedTransport(65_535);
    onLink(() -> second.online(after));
    for (int round = 0; round < 4; round++) {
      int expected = Math.min(40, window * (round + 1));
      await().atMost(WAIT).until(() -> after.sent.size() == expected);
      after.ackAll();
    }
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);

    assertThat(after.sent)
        .extracting(ScriptedTransport.Sent::text)
        .as("resent from the oldest, in drain order, then the rest")
        .containsExactlyElementsOf(texts(0, 40));
    List<String> received = new java.util.ArrayList<>();
    before.sent.forEach(sent -> received.add(sent.text()));
    after.sent.forEach(sent -> received.add(sent.text()));
    assertThat(new java.util.HashSet<>(received)).as("none lost").hasSize(40);
    assertThat(received.size() - 40)
        .as(
            "duplicates: acknowledged but not deleted, or in flight: within window + pendingDeletes")
        .isEqualTo(24)
        .isLessThanOrEqualTo(window + pendingDeletes);
  }

  @Test
  void keepsNoMorePublishesInFlightThanTheCloudAllows() throws Exception {
    append(8);
    Drainer drainer = drainer(options());
    ScriptedTransport cloud = new ScriptedTransport(4); // one slot stays free for status publishes
    onLink(() -> drainer.online(cloud));

    await().atMost(WAIT).until(() -> cloud.sent.size() == 3);
    onLink(drainer::pump);
    assertThat(cloud.sent).hasSize(3);
    assertThat(drainer.inflight()).isEqualTo(3);
    cloud.sent.get(0).puback().complete(0);
    await().atMost(WAIT).until(() -> cloud.sent.size() == 4);
    assertThat(cloud.unanswered()).isEqualTo(3);
  }

  @Test
  void readsTheNextWindowWhileOneIsInFlightButNeverSendsMoreThanTheWindow() throws Exception {
    append(30);
    Drainer drainer = drainer(options()); // window 10
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));

    await().atMost(WAIT).until(() -> cloud.sent.size() == 10);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(spool.stats().leased())
                    .as("the next window is read while the first awaits its PUBACKs")
                    .isEqualTo(20));
    onLink(drainer::pump);
    assertThat(cloud.sent).as("no more in flight than the window").hasSize(10);

    cloud.ackAll();
    await().atMost(WAIT).until(() -> cloud.sent.size() == 20);
    assertThat(cloud.sent)
        .extracting(ScriptedTransport.Sent::text)
        .startsWith("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11");
    cloud.ackAll();
    await().atMost(WAIT).until(() -> cloud.sent.size() == 30);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    assertThat(cloud.sent)
        .extracting(ScriptedTransport.Sent::text)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 30).mapToObj(i -> "m" + i).toList());
  }

  @Test
  void aPubackIsHandledOnTheThreadItArrivesOnWhichSendsThePublishItsSlotFrees() throws Exception {
    append(3);
    Drainer drainer = drainer(options());
    ScriptedTransport cloud = new ScriptedTransport(2); // one publish in flight at a time
    onLink(() -> drainer.online(cloud));
    await().atMost(WAIT).until(() -> cloud.sent.size() == 1);

    Thread callback =
        new Thread(() -> cloud.sent.get(0).puback().complete(0), "test-transport-callback");
    callback.start();
    callback.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(cloud.sent)
        .as("the next publish went out from the callback, with no hand-off to the link thread")
        .hasSize(2);
    assertThat(cloud.sent.get(1).thread()).isEqualTo("test-transport-callback");
    cloud.sent.get(1).puback().complete(0);
    await().atMost(WAIT).until(() -> cloud.sent.size() == 3);
    cloud.ackAll();
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
  }

  @Test
  void aStalledConnectionIsDroppedWithoutHoldingTheDrainSoItsCallbacksCanFinish() throws Exception {
    append(2);
    List<String> callbackOutcome = new CopyOnWriteArrayList<>();
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    Drainer drainer =
        new Drainer(
            options(),
            spool,
            link,
            ticker::get,
            reason -> {
              // closing a Paho connection waits for its callback thread: that thread must be able
              // to finish handling a PUBACK while the connection is dropped
              Thread callback =
                  new Thread(
                      () -> {
                        cloud.sent.get(1).puback().complete(0);
                        callbackOutcome.add("handled");
                      },
                      "test-transport-callback");
              callback.start();
              try {
                callback.join(TimeUnit.SECONDS.toMillis(5));
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              reconnects.add(reason);
            });
    metrics = new CloudMetrics(registry, null, drainer::inflight, drainer::pendingDeletes);
    drainer.metrics(metrics);
    onLink(() -> drainer.online(cloud));
    await().atMost(WAIT).until(() -> cloud.sent.size() == 2);

    ticker.addAndGet(TimeUnit.SECONDS.toNanos(6));
    onLink(drainer::tick);
    assertThat(reconnects).containsExactly("no PUBACK within 5 s");
    assertThat(callbackOutcome).containsExactly("handled");
  }

  @Test
  void aLostConnectionHandsUnacknowledgedMessagesBackForTheNextOne() throws Exception {
    append(3);
    Drainer drainer = drainer(options());
    ScriptedTransport first = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(first));
    await().atMost(WAIT).until(() -> first.sent.size() == 3);
    first.sent.get(0).puback().complete(0);
    await().atMost(WAIT).until(() -> spool.stats().depth() == 2);

    onLink(drainer::offline);
    ScriptedTransport second = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(second));
    await().atMost(WAIT).until(() -> second.sent.size() == 2);
    assertThat(second.sent).extracting(ScriptedTransport.Sent::text).containsExactly("m1", "m2");
    assertThat(registry.get("outpost.cloud.redelivered").counter().count()).isEqualTo(2);
    // a late PUBACK from the dead connection changes nothing
    first.ackAll();
    second.ackAll();
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
  }

  @Test
  void aConnectionThatStopsAcknowledgingIsDroppedAfterTheAckTimeoutOfTheTicker() throws Exception {
    append(1);
    Drainer drainer = drainer(options());
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));
    await().atMost(WAIT).until(() -> cloud.sent.size() == 1);

    ticker.addAndGet(TimeUnit.SECONDS.toNanos(4));
    onLink(drainer::tick);
    assertThat(reconnects).isEmpty();
    ticker.addAndGet(TimeUnit.SECONDS.toNanos(2));
    onLink(drainer::tick);
    assertThat(reconnects).containsExactly("no PUBACK within 5 s");
  }

  @Test
  void aRefusedPublishGoesToTheDeadLetterTableWithItsReason() throws Exception {
    append(1);
    Drainer drainer = drainer(options());
    ScriptedTransport cloud = new ScriptedTransport(65_535);
    onLink(() -> drainer.online(cloud));
    await().atMost(WAIT).until(() -> cloud.sent.size() == 1);
    cloud.sent.get(0).puback().complete(0x87);

    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    CompletableFuture<List<DeadLetter>> deadLetters = spool.deadLetters(10);
    assertThat(deadLetters.get(10, TimeUnit.SECONDS))
        .singleElement()
        .satisfies(d -> assertThat(d.reason()).contains("0x87"));
    assertThat(registry.get("outpost.cloud.rejected").counter().count()).isEqualTo(1);
  }
}
