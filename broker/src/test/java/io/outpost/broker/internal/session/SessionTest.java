package io.outpost.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.QueueOverflowPolicy;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.broker.internal.store.BrokerStore;
import io.outpost.broker.internal.store.StoredState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionTest {

  @TempDir Path dir;
  Vertx vertx;
  BrokerStore store;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  BrokerMetrics metrics = new BrokerMetrics(registry);

  @BeforeEach
  void open() throws Exception {
    vertx = Vertx.vertx();
    store = new BrokerStore(vertx, dir.resolve("broker.db"));
    await(store.open(System.currentTimeMillis()));
  }

  @AfterEach
  void close() throws Exception {
    await(store.close());
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  Session session(long expiry, int maxQueued, QueueOverflowPolicy policy) {
    return new Session(
        "c1", expiry, new SessionSettings(maxQueued, policy, store, metrics, Clock.systemUTC()));
  }

  static OutboundMessage message(String payload, int qos) {
    return new OutboundMessage(
        BrokerMessage.of("t", Buffer.buffer(payload), qos, false), qos, false, new int[0]);
  }

  /** Records what the session writes. */
  static final class RecordingLink implements SessionLink {
    final List<String> written = new ArrayList<>();

    @Override
    public SendResult publish(OutboundMessage m, boolean dup) {
      written.add("PUBLISH " + m.packetId() + " " + m.message().payload() + (dup ? " dup" : ""));
      return SendResult.SENT;
    }

    @Override
    public void pubrel(int packetId) {
      written.add("PUBREL " + packetId);
    }
  }

  @Test
  void sendsUpToTheInflightWindowAndDrainsTheQueueOnAck() {
    Session s = session(0, 10, QueueOverflowPolicy.DROP_OLDEST);
    RecordingLink link = new RecordingLink();
    s.attach(link, 2);
    for (int i = 0; i < 4; i++) {
      s.offer(message("m" + i, 1));
    }
    assertThat(link.written).containsExactly("PUBLISH 1 m0", "PUBLISH 2 m1");
    assertThat(s.queuedCount()).isEqualTo(2);
    assertThat(s.onPuback(1)).isTrue();
    assertThat(s.onPuback(1)).isFalse();
    assertThat(link.written).endsWith("PUBLISH 3 m2");
    assertThat(s.inflightCount()).isEqualTo(2);
  }

  @Test
  void resendsUnacknowledgedMessagesWithDupAndPubrelOnReattach() {
    Session s = session(60, 10, QueueOverflowPolicy.DROP_OLDEST);
    RecordingLink first = new RecordingLink();
    s.attach(first, 10);
    s.offer(message("a", 1));
    s.offer(message("b", 2));
    assertThat(s.onPubrec(2, false)).isTrue();
    assertThat(first.written).containsExactly("PUBLISH 1 a", "PUBLISH 2 b", "PUBREL 2");
    assertThat(s.detach(first)).isNotNull();
    RecordingLink second = new RecordingLink();
    s.attach(second, 10);
    assertThat(second.written).containsExactly("PUBLISH 1 a dup", "PUBREL 2");
    assertThat(s.onPubcomp(2)).isTrue();
    assertThat(s.inflightCount()).isEqualTo(1);
  }

  @Test
  void fullQueueEvictsOldestOrRefusesNewestAndCounts() {
    Session oldest = session(0, 2, QueueOverflowPolicy.DROP_OLDEST);
    Session newest =
        new Session(
            "c2",
            0,
            new SessionSettings(
                2, QueueOverflowPolicy.DROP_NEWEST, store, metrics, Clock.systemUTC()));
    RecordingLink a = new RecordingLink();
    RecordingLink b = new RecordingLink();
    oldest.attach(a, 1);
    newest.attach(b, 1);
    for (int i = 0; i < 5; i++) {
      oldest.offer(message("m" + i, 1));
      newest.offer(message("m" + i, 1));
    }
    oldest.onPuback(1);
    oldest.onPuback(2);
    newest.onPuback(1);
    newest.onPuback(2);
    assertThat(a.written).containsExactly("PUBLISH 1 m0", "PUBLISH 2 m3", "PUBLISH 3 m4");
    assertThat(b.written).containsExactly("PUBLISH 1 m0", "PUBLISH 2 m1", "PUBLISH 3 m2");
    assertThat(
            registry
                .get("outpost.broker.messages.dropped")
                .tag("reason", "queue-full")
                .counter()
                .count())
        .isEqualTo(4);
  }

  @Test
  void offlinePersistentSessionStoresQueuedMessagesBeforeCompleting() throws Exception {
    Session s = session(60, 10, QueueOverflowPolicy.DROP_OLDEST);
    await(store.saveSession("c1", 60, System.currentTimeMillis()));
    await(s.offer(message("kept", 1)));
    s.offer(message("not kept", 0));
    await(store.close());
    store = new BrokerStore(vertx, dir.resolve("broker.db"));
    StoredState state = await(store.open(System.currentTimeMillis()));
    assertThat(state.messages().get("c1"))
        .extracting(m -> m.message().payload().toString())
        .containsExactly("kept");
    assertThat(
            registry
                .get("outpost.broker.messages.dropped")
                .tag("reason", "qos0-offline")
                .counter()
                .count())
        .isEqualTo(1);
  }
}
