package io.outpost.broker.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.BrokerOptions;
import io.outpost.broker.MessageSource;
import io.outpost.broker.PublishRouter;
import io.outpost.broker.QueueOverflowPolicy;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.broker.internal.session.Session;
import io.outpost.broker.internal.session.SessionLink;
import io.outpost.broker.internal.session.Subscription;
import io.outpost.broker.internal.store.BrokerStore;
import io.outpost.topic.TopicFilter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's shared services on a real store: accepting messages, live limits, writes awaited at
 * stop.
 */
class BrokerCoreTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  Vertx vertx;
  BrokerStore store;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final List<String> routed = new ArrayList<>();
  BrokerCore core;

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    store = new BrokerStore(vertx, dir.resolve("broker.db"));
    await(store.open(CLOCK.millis()));
    PublishRouter router =
        m -> {
          routed.add(m.topic());
          return Future.succeededFuture();
        };
    core = new BrokerCore(vertx, options(2), store, router, new BrokerMetrics(registry), CLOCK);
  }

  @AfterEach
  void close() throws Exception {
    await(store.close());
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static BrokerOptions options(int maxRetained) {
    return new BrokerOptions(
        null,
        1,
        null,
        null,
        null,
        null,
        10,
        QueueOverflowPolicy.DROP_OLDEST,
        null,
        maxRetained,
        null,
        null,
        null,
        null,
        null);
  }

  private static BrokerMessage retained(String topic) {
    return BrokerMessage.of(topic, Buffer.buffer("v"), 1, true);
  }

  @Test
  void acceptedMessagesAreRoutedRetainedAndDeliveredToMatchingSessions() throws Exception {
    Session s = new Session("sub", 0, core.sessionSettings());
    core.sessions().put(s);
    core.sessions()
        .subscribe(s, new Subscription("sub", "state/#", "state/#", null, 1, false, false, 0, 0));
    List<String> sent = new ArrayList<>();
    s.attach(
        new SessionLink() {
          @Override
          public SendResult publish(
              io.outpost.broker.internal.session.OutboundMessage m, boolean dup) {
            sent.add(m.message().topic());
            return SendResult.SENT;
          }

          @Override
          public void pubrel(int packetId) {}
        },
        10);

    int reached = await(core.accept(retained("state/pump"), MessageSource.DEVICE));

    assertThat(reached).isEqualTo(1);
    assertThat(routed).containsExactly("state/pump");
    assertThat(sent).containsExactly("state/pump");
    assertThat(core.retained().matching(TopicFilter.of("state/#")))
        .extracting(BrokerMessage::topic)
        .containsExactly("state/pump");
  }

  @Test
  void cloudMessagesAreDeliveredWithoutPassingTheRoutes() throws Exception {
    await(
        core.accept(
            BrokerMessage.of("commands/x", Buffer.buffer("go"), 1, false), MessageSource.CLOUD));

    assertThat(routed).isEmpty();
  }

  @Test
  void newLimitsTakeEffectAtOnceForRetainedMessages() throws Exception {
    await(core.accept(retained("a"), MessageSource.DEVICE));
    core.limits(options(1));

    await(core.accept(retained("b"), MessageSource.DEVICE));

    assertThat(core.options().maxRetainedMessages()).isEqualTo(1);
    assertThat(core.retained().size()).as("b is beyond the new bound").isEqualTo(1);
    assertThat(
            registry
                .get("outpost.broker.messages.dropped")
                .tag("reason", "retained-full")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void pendingWritesCompleteOnceEveryTrackedWriteFinishedEvenAFailedOne() throws Exception {
    Promise<Void> slow = Promise.promise();
    core.trackWrite(slow.future());
    core.trackWrite(Future.failedFuture(new IllegalStateException("disk gone")));

    Future<Void> all = core.pendingWrites();
    assertThat(all.isComplete()).isFalse();

    slow.complete();
    await(all);
    assertThat(all.succeeded()).isTrue();
  }

  @Test
  void throttlingAPublisherThatIsNotConnectedChangesNothing() {
    core.throttlePublisherOf(BrokerMessage.of("t", Buffer.buffer("x"), 1, false), () -> false);

    assertThat(core.connections()).isEmpty();
  }
}
