package io.outpost.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageProperties;
import io.outpost.broker.QueueOverflowPolicy;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.broker.internal.store.BrokerStore;
import io.outpost.broker.internal.store.StoredState;
import io.vertx.core.Future;
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
 * Fan-out of one message to the sessions whose subscriptions match, on a real store in a temp dir.
 */
class LocalDeliveryTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  Vertx vertx;
  BrokerStore store;
  final BrokerMetrics metrics = new BrokerMetrics(new SimpleMeterRegistry());
  final SessionRegistry registry = new SessionRegistry();
  final LocalDelivery delivery = new LocalDelivery(registry);

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    store = new BrokerStore(vertx, dir.resolve("broker.db"));
    await(store.open(CLOCK.millis()));
  }

  @AfterEach
  void close() throws Exception {
    await(store.close());
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A session of {@code clientId}, online through a link that records what it is sent. */
  private Recorder online(String clientId, long expirySeconds) {
    Session s =
        new Session(
            clientId,
            expirySeconds,
            new SessionSettings(10, QueueOverflowPolicy.DROP_OLDEST, store, metrics, CLOCK));
    registry.put(s);
    Recorder r = new Recorder(s);
    s.attach(r, 10);
    return r;
  }

  private Session offline(String clientId, long expirySeconds) {
    Session s =
        new Session(
            clientId,
            expirySeconds,
            new SessionSettings(10, QueueOverflowPolicy.DROP_OLDEST, store, metrics, CLOCK));
    registry.put(s);
    return s;
  }

  private void subscribe(Session s, String filter, int qos, boolean noLocal, int id) {
    registry.subscribe(
        s, new Subscription(s.clientId(), filter, filter, null, qos, noLocal, false, 0, id));
  }

  private void subscribeShared(Session s, String group, String filter) {
    registry.subscribe(
        s,
        new Subscription(
            s.clientId(), "$share/" + group + "/" + filter, filter, group, 1, false, false, 0, 0));
  }

  private static BrokerMessage message(String topic, int qos, String publisher) {
    return new BrokerMessage(
        topic, Buffer.buffer("p"), qos, false, MessageProperties.NONE, publisher, CLOCK.millis());
  }

  @Test
  void sendsOneCopyPerSessionAtTheHighestGrantedQosWithEverySubscriptionId() throws Exception {
    Recorder a = online("a", 0);
    subscribe(a.session, "devices/+/telemetry", 0, false, 1);
    subscribe(a.session, "devices/#", 1, false, 2);
    Recorder b = online("b", 0);
    subscribe(b.session, "devices/7/telemetry", 2, false, 0);

    int reached = await(delivery.deliver(message("devices/7/telemetry", 1, "pump")));

    assertThat(reached).isEqualTo(2);
    assertThat(a.sent)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.qos()).isEqualTo(1);
              assertThat(m.subscriptionIds()).containsExactlyInAnyOrder(1, 2);
            });
    assertThat(b.sent)
        .singleElement()
        .satisfies(m -> assertThat(m.qos()).as("capped by the published QoS").isEqualTo(1));
    assertThat(a.sent.get(0).message().payload())
        .as("one payload buffer shared by every copy")
        .isSameAs(b.sent.get(0).message().payload());
  }

  @Test
  void noLocalKeepsAClientsOwnPublishAwayFromIt() throws Exception {
    Recorder self = online("self", 0);
    subscribe(self.session, "echo/#", 1, true, 0);

    assertThat(await(delivery.deliver(message("echo/x", 1, "self")))).isZero();
    assertThat(await(delivery.deliver(message("echo/x", 1, "other")))).isEqualTo(1);
    assertThat(self.sent).hasSize(1);
  }

  @Test
  void aSharedSubscriptionGivesEachMessageToOneMemberInTurn() throws Exception {
    Recorder x = online("x", 0);
    Recorder y = online("y", 0);
    subscribeShared(x.session, "workers", "jobs/#");
    subscribeShared(y.session, "workers", "jobs/#");

    for (int i = 0; i < 4; i++) {
      assertThat(await(delivery.deliver(message("jobs/" + i, 1, "p")))).isEqualTo(1);
    }

    assertThat(x.sent).hasSize(2);
    assertThat(y.sent).hasSize(2);
  }

  @Test
  void aTopicNobodySubscribedToReachesNoSession() throws Exception {
    online("a", 0);

    assertThat(await(delivery.deliver(message("nobody/listens", 1, "p")))).isZero();
  }

  @Test
  void completesOnlyOnceTheMessageIsStoredForAnOfflinePersistentSession() throws Exception {
    Session away = offline("away", 3600);
    await(store.saveSession("away", 3600, CLOCK.millis()));
    subscribe(away, "alerts/#", 1, false, 0);

    assertThat(await(delivery.deliver(message("alerts/fire", 1, "p")))).isEqualTo(1);

    await(store.close());
    store = new BrokerStore(vertx, dir.resolve("broker.db"));
    StoredState state = await(store.open(CLOCK.millis()));
    assertThat(state.messages().get("away"))
        .extracting(m -> m.message().topic())
        .containsExactly("alerts/fire");
  }

  /** A connected client's end of a session: records each PUBLISH and acknowledges nothing. */
  private static final class Recorder implements SessionLink {
    final Session session;
    final List<OutboundMessage> sent = new ArrayList<>();

    Recorder(Session session) {
      this.session = session;
    }

    @Override
    public SendResult publish(OutboundMessage m, boolean dup) {
      sent.add(m);
      return SendResult.SENT;
    }

    @Override
    public void pubrel(int packetId) {}
  }
}
