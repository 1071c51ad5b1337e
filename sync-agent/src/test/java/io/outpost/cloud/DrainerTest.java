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
    metrics = new CloudMetrics(registry, null, drainer::inflight);
    drainer.metrics(metrics);
    spool.onAvailable(drainer::signal);
    return drainer;
  }

  private static CloudOptions options() {
    return CloudOptions.of("tcp://127.0.0.1:1", "edge-1")
        .withInflightWindow(10)
        .withAckTimeoutSeconds(5);
  }

  private void onLink(Runnable task) throws Exception {
    link.submit(task).get(10, TimeUnit.SECONDS);
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
    metrics = new CloudMetrics(registry, null, drainer::inflight);
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
  void readsTheNextWindowWhileOneIsInFlightButNeverSendsMoreThanTheWindowUnconfirmed()
      throws Exception {
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
    assertThat(cloud.sent).as("a crash can resend at most one window").hasSize(10);

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
    metrics = new CloudMetrics(registry, null, drainer::inflight);
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
