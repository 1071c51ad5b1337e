package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MQTT 5 features, checked with the Eclipse Paho MQTT 5 client. */
class PahoV5IT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  BrokerFixture fixture;
  final List<V5Client> clients = new ArrayList<>();

  void start() {
    start(BrokerFixture.localOptions(), PublishRouter.NONE);
  }

  void start(BrokerOptions options, PublishRouter router) {
    fixture = BrokerFixture.start(dir, options, router);
  }

  V5Client client(String id) throws MqttException {
    V5Client c = new V5Client(fixture.url(), id);
    clients.add(c);
    return c;
  }

  @AfterEach
  void stop() throws MqttException {
    for (V5Client c : clients) {
      c.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void passesApplicationPropertiesThrough() throws Exception {
    start();
    V5Client sub = client("sub").connect();
    sub.client.subscribe("p/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    MqttProperties props = new MqttProperties();
    props.setUserProperties(List.of(new UserProperty("k", "v1"), new UserProperty("k", "v2")));
    props.setContentType("application/json");
    props.setResponseTopic("reply/here");
    props.setCorrelationData(new byte[] {1, 2, 3});
    props.setPayloadFormat(true);
    MqttMessage m = new MqttMessage("{}".getBytes(StandardCharsets.UTF_8), 1, false, props);
    client("pub").connect().publish("p/1", m);
    await().atMost(WAIT).until(() -> sub.received.size() == 1);
    MqttProperties got = sub.received.get(0).message().getProperties();
    assertThat(got.getUserProperties())
        .containsExactly(new UserProperty("k", "v1"), new UserProperty("k", "v2"));
    assertThat(got.getContentType()).isEqualTo("application/json");
    assertThat(got.getResponseTopic()).isEqualTo("reply/here");
    assertThat(got.getCorrelationData()).containsExactly(1, 2, 3);
    assertThat(got.getPayloadFormat()).isTrue();
  }

  @Test
  void connackAdvertisesLimitsAndAssignsClientIdAndServerKeepAlive() throws Exception {
    start(BrokerFixture.localOptions().withMaxKeepAliveSeconds(30), PublishRouter.NONE);
    MqttConnectionOptions o = V5Client.options(true, null);
    o.setKeepAliveInterval(0);
    V5Client c = client("").connect(o);
    MqttProperties connack = c.connectToken.getResponseProperties();
    assertThat(connack.getAssignedClientIdentifier()).startsWith("outpost-");
    assertThat(connack.getServerKeepAlive()).isEqualTo(30);
    assertThat(connack.getReceiveMaximum()).isEqualTo(BrokerOptions.DEFAULT_RECEIVE_MAXIMUM);
    assertThat(connack.getMaximumPacketSize())
        .isEqualTo((long) BrokerOptions.DEFAULT_MAX_PACKET_BYTES);
    assertThat(connack.getTopicAliasMaximum()).isEqualTo(BrokerOptions.DEFAULT_TOPIC_ALIAS_MAXIMUM);
    assertThat(fixture.broker.clients())
        .extracting(ClientInfo::clientId)
        .containsExactly(connack.getAssignedClientIdentifier());
    assertThat(fixture.broker.clients().get(0).protocolVersion()).isEqualTo(5);
  }

  @Test
  void routerRejectionIsAnsweredWithItsReasonCodeAndNotDelivered() throws Exception {
    PublishRouter router =
        m ->
            m.topic().startsWith("full/")
                ? Future.failedFuture(new RouteRejectedException(0x97, "spool full"))
                : Future.succeededFuture();
    start(BrokerFixture.localOptions(), router);
    V5Client sub = client("sub").connect();
    sub.client.subscribe("#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client pub = client("pub").connect();
    IMqttToken rejected;
    try {
      rejected =
          pub.publish(
              "full/x", new MqttMessage("a".getBytes(StandardCharsets.UTF_8), 1, false, null));
    } catch (MqttException e) {
      assertThat(e.getReasonCode()).isEqualTo(0x97);
      rejected = null;
    }
    if (rejected != null) {
      assertThat(rejected.getReasonCodes()).containsExactly(0x97);
    }
    pub.publish("ok/x", "b", 1, false);
    await().atMost(WAIT).until(() -> sub.received.size() == 1);
    assertThat(sub.received.get(0).topic()).isEqualTo("ok/x");
    assertThat(fixture.counter("outpost.broker.route.rejected", "reasonCode", "0x97")).isEqualTo(1);
  }

  @Test
  void noLocalSuppressesOwnMessagesAndSubscriptionIdsAreSent() throws Exception {
    start();
    V5Client c = client("self").connect();
    MqttSubscription own = new MqttSubscription("n/#", 1);
    own.setNoLocal(true);
    MqttProperties subProps = new MqttProperties();
    subProps.setSubscriptionIdentifier(42);
    c.client
        .subscribe(new MqttSubscription[] {own}, null, null, subProps)
        .waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client other = client("other").connect();
    c.publish("n/1", "mine", 1, false);
    other.publish("n/2", "theirs", 1, false);
    await().atMost(WAIT).until(() -> c.received.size() == 1);
    assertThat(c.received.get(0).text()).isEqualTo("theirs");
    assertThat(c.received.get(0).message().getProperties().getSubscriptionIdentifiers())
        .containsExactly(42);
  }

  @Test
  void retainHandlingAndRetainAsPublished() throws Exception {
    start();
    V5Client pub = client("pub").connect();
    pub.publish("r/1", "old", 1, true);
    V5Client never = client("never").connect();
    MqttSubscription none = new MqttSubscription("r/#", 1);
    none.setRetainHandling(2);
    never
        .client
        .subscribe(new MqttSubscription[] {none})
        .waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client rap = client("rap").connect();
    MqttSubscription keep = new MqttSubscription("r/#", 1);
    keep.setRetainAsPublished(true);
    rap.client.subscribe(new MqttSubscription[] {keep}).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    await().atMost(WAIT).until(() -> rap.received.size() == 1);
    assertThat(rap.received.get(0).message().isRetained()).isTrue();
    pub.publish("r/2", "live", 1, true);
    await().atMost(WAIT).until(() -> rap.received.size() == 2 && never.received.size() == 1);
    assertThat(rap.received.get(1).message().isRetained()).isTrue();
    assertThat(never.received.get(0).text()).isEqualTo("live");
    assertThat(never.received.get(0).message().isRetained()).isFalse();
  }

  @Test
  void sharedSubscriptionDeliversEachMessageToOneMember() throws Exception {
    start();
    V5Client a = client("a").connect();
    V5Client b = client("b").connect();
    a.client.subscribe("$share/g/s/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    b.client.subscribe("$share/g/s/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client plain = client("plain").connect();
    plain.client.subscribe("s/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client pub = client("pub").connect();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      pub.publish("s/" + i, "m" + i, 1, false);
      sent.add("m" + i);
    }
    await()
        .atMost(WAIT)
        .until(() -> plain.received.size() == 10 && a.received.size() + b.received.size() >= 10);
    List<String> shared = new ArrayList<>();
    a.received.forEach(m -> shared.add(m.text()));
    b.received.forEach(m -> shared.add(m.text()));
    assertThat(shared)
        .as("each message to exactly one member of the group")
        .containsExactlyInAnyOrderElementsOf(sent);
    assertThat(a.received).isNotEmpty();
    assertThat(b.received).isNotEmpty();
    assertThat(plain.received).extracting(r -> r.text()).containsExactlyElementsOf(sent);
  }

  @Test
  void expiredMessagesAreNotDeliveredAndRemainingExpiryIsSent() throws Exception {
    start();
    V5Client pub = client("pub").connect();
    MqttProperties shortLived = new MqttProperties();
    shortLived.setMessageExpiryInterval(10L);
    pub.publish(
        "e/short", new MqttMessage("gone".getBytes(StandardCharsets.UTF_8), 1, true, shortLived));
    MqttProperties longLived = new MqttProperties();
    longLived.setMessageExpiryInterval(100L);
    pub.publish(
        "e/long", new MqttMessage("kept".getBytes(StandardCharsets.UTF_8), 1, true, longLived));
    fixture.clock.advance(Duration.ofSeconds(20));
    V5Client sub = client("sub").connect();
    sub.client.subscribe("e/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    await().atMost(WAIT).until(() -> sub.received.size() == 1);
    assertThat(sub.received.get(0).text()).isEqualTo("kept");
    assertThat(sub.received.get(0).message().getProperties().getMessageExpiryInterval())
        .isBetween(1L, 80L);
  }

  @Test
  void persistentSessionResumesWithQueuedMessages() throws Exception {
    start();
    V5Client sub = client("durable").connect(V5Client.options(false, 300L));
    assertThat(sub.connectToken.getSessionPresent()).isFalse();
    sub.client.subscribe("d/#", 2).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    sub.client.disconnect().waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client pub = client("pub").connect();
    pub.publish("d/1", "one", 1, false);
    pub.publish("d/2", "two", 2, false);
    sub.connect(V5Client.options(false, 300L));
    assertThat(sub.connectToken.getSessionPresent()).isTrue();
    await().atMost(WAIT).until(() -> sub.received.size() == 2);
    assertThat(sub.received).extracting(V5Client.Received::text).containsExactly("one", "two");
    assertThat(sub.received.get(1).message().getQos()).isEqualTo(2);
  }

  @Test
  void sessionWithZeroExpiryEndsAtDisconnect() throws Exception {
    start();
    V5Client sub = client("short").connect(V5Client.options(false, 0L));
    sub.client.subscribe("z/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    sub.client.disconnect().waitForCompletion(V5Client.TIMEOUT_MILLIS);
    sub.connect(V5Client.options(false, 0L));
    assertThat(sub.connectToken.getSessionPresent()).isFalse();
  }

  @Test
  void takeoverDisconnectsTheOldConnectionWithSessionTakenOver() throws Exception {
    start();
    V5Client first = client("dup").connect();
    client("dup").connect();
    await().atMost(WAIT).until(() -> first.disconnected.get() != null);
    assertThat(first.disconnected.get().getReturnCode()).isEqualTo(0x8E);
  }

  @Test
  void stopSendsServerShuttingDown() throws Exception {
    start();
    V5Client c = client("bye").connect();
    BrokerFixture.await(fixture.broker.stop());
    await().atMost(WAIT).until(() -> c.disconnected.get() != null);
    assertThat(c.disconnected.get().getReturnCode()).isEqualTo(0x8B);
  }

  @Test
  void willIsPublishedAfterItsDelayWhenTheConnectionDrops() throws Exception {
    start();
    V5Client watcher = client("watcher").connect();
    watcher.client.subscribe("will/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client dying = client("dying");
    MqttConnectionOptions o = V5Client.options(true, 60L);
    o.setWill(
        "will/dying", new MqttMessage("gone".getBytes(StandardCharsets.UTF_8), 1, false, null));
    MqttProperties willProps = new MqttProperties();
    willProps.setWillDelayInterval(1L);
    o.setWillMessageProperties(willProps);
    dying.connect(o);
    dying.client.disconnectForcibly(0, 1000, false);
    await().atMost(WAIT).until(() -> watcher.received.size() == 1);
    assertThat(watcher.received.get(0).text()).isEqualTo("gone");
  }

  /** Connects {@code id} with a QoS 1 will on {@code will/<id>} delayed by {@code delaySeconds}. */
  V5Client connectWithDelayedWill(String id, long delaySeconds) throws MqttException {
    V5Client c = client(id);
    MqttConnectionOptions o = V5Client.options(true, 60L);
    o.setWill(
        "will/" + id,
        new MqttMessage(("will of " + id).getBytes(StandardCharsets.UTF_8), 1, false, null));
    MqttProperties willProps = new MqttProperties();
    willProps.setWillDelayInterval(delaySeconds);
    o.setWillMessageProperties(willProps);
    return c.connect(o);
  }

  /**
   * Drops {@code c}'s connection without DISCONNECT and waits until the broker has closed its side.
   */
  void dropAndAwaitBrokerNoticed(V5Client c) throws MqttException {
    int before = fixture.broker.connectedClients();
    c.client.disconnectForcibly(0, 1000, false);
    await().atMost(WAIT).until(() -> fixture.broker.connectedClients() == before - 1);
  }

  @Test
  void delayedWillIsNotPublishedWhenTheConnectionDropsButOnlyAfterTheDelay() throws Exception {
    start();
    V5Client watcher = client("watcher").connect();
    watcher.client.subscribe("will/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client dying = connectWithDelayedWill("dying", 5);

    dropAndAwaitBrokerNoticed(dying);
    // the broker has handled the drop; a marker sent now reaches the watcher long before the 5 s
    // delay ends, and
    // on the same subscription after anything the broker published when the connection dropped
    watcher.publish("will/marker", "marker", 1, false);
    await().atMost(WAIT).until(() -> watcher.received.size() >= 1);
    assertThat(watcher.received.get(0).text())
        .as("nothing published before the marker")
        .isEqualTo("marker");

    await().atMost(WAIT).until(() -> watcher.received.size() >= 2);
    assertThat(watcher.received)
        .extracting(V5Client.Received::text)
        .containsExactly("marker", "will of dying");
    assertThat(watcher.received.get(1).topic()).isEqualTo("will/dying");
  }

  @Test
  void reconnectWithinTheWillDelayCancelsTheWill() throws Exception {
    start();
    V5Client watcher = client("watcher").connect();
    watcher.client.subscribe("will/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client returning = connectWithDelayedWill("returning", 5);
    // same delay, dropped later: when its will arrives, the returning client's delay is over too
    V5Client control = connectWithDelayedWill("control", 5);

    dropAndAwaitBrokerNoticed(returning);
    client("returning")
        .connect(V5Client.options(false, 60L)); // resumes the session, no will this time
    dropAndAwaitBrokerNoticed(control);
    await().atMost(WAIT).until(() -> watcher.received.size() >= 1);
    watcher.publish("will/marker", "marker", 1, false);
    await()
        .atMost(WAIT)
        .until(() -> watcher.received.stream().anyMatch(r -> r.text().equals("marker")));

    assertThat(watcher.received)
        .extracting(V5Client.Received::text)
        .containsExactly("will of control", "marker");
  }

  @Test
  void normalDisconnectDiscardsTheWill() throws Exception {
    start();
    V5Client watcher = client("watcher").connect();
    watcher.client.subscribe("will/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client polite = client("polite");
    MqttConnectionOptions o = V5Client.options(true, null);
    o.setWill(
        "will/polite", new MqttMessage("gone".getBytes(StandardCharsets.UTF_8), 1, false, null));
    polite.connect(o);
    // a normal DISCONNECT, sent and finished in this thread: after Paho's asynchronous disconnect()
    // the client can
    // still be DISCONNECTING when the test's close() runs, which then leaves its sender thread
    // behind
    // (eclipse-paho/paho.mqtt.java#1093)
    polite.client.disconnectForcibly(0, 1_000, true);
    watcher.publish("will/marker", "marker", 1, false);
    await().atMost(WAIT).until(() -> watcher.received.size() == 1);
    assertThat(watcher.received.get(0).text()).isEqualTo("marker");
  }

  @Test
  void topicAliasesFromPahoAreResolved() throws Exception {
    start();
    V5Client sub = client("sub").connect();
    sub.client.subscribe("alias/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client pub = client("pub").connect();
    for (int i = 0; i < 3; i++) {
      MqttProperties p = new MqttProperties();
      p.setTopicAlias(1);
      pub.publish(
          "alias/topic", new MqttMessage(("m" + i).getBytes(StandardCharsets.UTF_8), 1, false, p));
    }
    await().atMost(WAIT).until(() -> sub.received.size() == 3);
    assertThat(sub.received).extracting(V5Client.Received::topic).containsOnly("alias/topic");
  }

  @Test
  void messagesLargerThanTheClientsMaximumPacketSizeAreDroppedAndCounted() throws Exception {
    start();
    MqttConnectionOptions o = V5Client.options(true, null);
    o.setMaximumPacketSize(200L);
    V5Client small = client("small").connect(o);
    small.client.subscribe("big/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    V5Client pub = client("pub").connect();
    pub.publish("big/1", "x".repeat(1000), 1, false);
    pub.publish("big/2", "fits", 1, false);
    await().atMost(WAIT).until(() -> small.received.size() == 1);
    assertThat(small.received.get(0).text()).isEqualTo("fits");
    assertThat(fixture.counter("outpost.broker.messages.dropped", "reason", "packet-too-large"))
        .isEqualTo(1);
  }

  @Test
  void unsubscribeReportsWhetherTheSubscriptionExisted() throws Exception {
    start();
    V5Client c = client("unsub").connect();
    c.client.subscribe("u/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);
    IMqttToken token = c.client.unsubscribe(new String[] {"u/#", "never/subscribed"});
    token.waitForCompletion(V5Client.TIMEOUT_MILLIS);
    assertThat(token.getReasonCodes()).containsExactly(0x00, 0x11);
  }
}
