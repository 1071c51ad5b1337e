package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttReasonCodeAndPropertiesVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every configured bound: what happens when it is hit, and that it is counted. */
class BoundsIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  BrokerFixture fixture;
  final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private RawMqttClient raw(String id, boolean clean, MqttVersion version) throws Exception {
    RawMqttClient c = new RawMqttClient(fixture.port());
    closeables.add(c);
    c.send(RawMqttClient.connect(id, clean, version));
    assertThat(c.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    return c;
  }

  /**
   * Publishes a QoS 0 marker to {@code c}'s {@code rm/#} subscription and returns the QoS 1
   * PUBLISHes written to it before the marker. QoS 0 has no in-flight window, and the connection
   * writes packets in the order they were handed to it, so the marker comes after every QoS 1
   * message the broker had released to the client by then.
   */
  private List<MqttPublishMessage> releasedBeforeMarker(RawMqttClient c) throws Exception {
    BrokerFixture.await(
        fixture.broker.publish(BrokerMessage.of("rm/marker", Buffer.buffer("marker"), 0, false)));
    List<MqttPublishMessage> before = new ArrayList<>();
    while (true) {
      MqttPublishMessage p = (MqttPublishMessage) c.expect(MqttMessageType.PUBLISH, WAIT);
      assertThat(p).as("marker").isNotNull();
      if (p.variableHeader().topicName().equals("rm/marker")) {
        return before;
      }
      before.add(p);
    }
  }

  private static String payload(MqttMessage m) {
    assertThat(m).isInstanceOf(MqttPublishMessage.class);
    return ((MqttPublishMessage) m).payload().toString(StandardCharsets.UTF_8);
  }

  private static int disconnectReason(MqttMessage m) {
    assertThat(m).isNotNull();
    assertThat(m.fixedHeader().messageType()).isEqualTo(MqttMessageType.DISCONNECT);
    return ((MqttReasonCodeAndPropertiesVariableHeader) m.variableHeader()).reasonCode() & 0xFF;
  }

  @Test
  void refusesConnectionsBeyondMaxConnections() throws Exception {
    fixture =
        BrokerFixture.start(
            dir, BrokerFixture.localOptions().withMaxConnections(2), PublishRouter.NONE);
    for (String id : List.of("a", "b")) {
      V5Client c = new V5Client(fixture.url(), id);
      closeables.add(c);
      c.connect();
    }
    V5Client third = new V5Client(fixture.url(), "c");
    closeables.add(third);
    assertThatThrownBy(third::connect)
        .isInstanceOf(MqttException.class)
        .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(0x97));
    assertThat(fixture.broker.connectedClients()).isEqualTo(2);
    assertThat(fixture.counter("outpost.broker.connections.rejected", "reason", "max-connections"))
        .isEqualTo(1);
  }

  @Test
  void oversizedPacketClosesOnlyThatConnectionWithPacketTooLarge() throws Exception {
    fixture =
        BrokerFixture.start(
            dir, BrokerFixture.localOptions().withMaxPacketBytes(1024), PublishRouter.NONE);
    RawMqttClient bystander = raw("bystander", true, MqttVersion.MQTT_5);
    RawMqttClient big = raw("big", true, MqttVersion.MQTT_5);
    big.send(RawMqttClient.publish("t", "x".repeat(2000), 0, 0, false));
    assertThat(disconnectReason(big.expect(MqttMessageType.DISCONNECT, WAIT))).isEqualTo(0x95);
    assertThat(big.closedByPeer(WAIT)).isTrue();
    bystander.send(RawMqttClient.subscribe(1, "ok", 0));
    assertThat(bystander.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
  }

  @Test
  void fullQueueDropsOldestAndCountsIt() throws Exception {
    BrokerOptions options =
        BrokerFixture.localOptions().withQueueing(1, 3, QueueOverflowPolicy.DROP_OLDEST);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    RawMqttClient slow = raw("slow", false, MqttVersion.MQTT_3_1_1);
    slow.send(RawMqttClient.subscribe(1, "q/#", 1));
    assertThat(slow.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    for (int i = 0; i < 10; i++) {
      BrokerFixture.await(
          fixture.broker.publish(
              BrokerMessage.of("q/" + i, io.vertx.core.buffer.Buffer.buffer("m" + i), 1, false)));
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      MqttPublishMessage p = (MqttPublishMessage) slow.expect(MqttMessageType.PUBLISH, WAIT);
      assertThat(p).isNotNull();
      got.add(p.payload().toString(StandardCharsets.UTF_8));
      slow.send(RawMqttClient.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
    }
    assertThat(got).containsExactly("m0", "m7", "m8", "m9");
    assertThat(fixture.counter("outpost.broker.messages.dropped", "reason", "queue-full"))
        .isEqualTo(6);
  }

  @Test
  void fullQueueDropsNewestWhenConfigured() throws Exception {
    BrokerOptions options =
        BrokerFixture.localOptions().withQueueing(1, 2, QueueOverflowPolicy.DROP_NEWEST);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    RawMqttClient slow = raw("slow", false, MqttVersion.MQTT_3_1_1);
    slow.send(RawMqttClient.subscribe(1, "q/#", 1));
    assertThat(slow.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    for (int i = 0; i < 6; i++) {
      BrokerFixture.await(
          fixture.broker.publish(
              BrokerMessage.of("q/" + i, io.vertx.core.buffer.Buffer.buffer("m" + i), 1, false)));
    }
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      MqttPublishMessage p = (MqttPublishMessage) slow.expect(MqttMessageType.PUBLISH, WAIT);
      got.add(p.payload().toString(StandardCharsets.UTF_8));
      slow.send(RawMqttClient.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
    }
    assertThat(got).containsExactly("m0", "m1", "m2");
    assertThat(fixture.counter("outpost.broker.messages.dropped", "reason", "queue-full"))
        .isEqualTo(3);
  }

  @Test
  void exceedingReceiveMaximumDisconnects() throws Exception {
    Promise<Void> never = Promise.promise();
    BrokerOptions options =
        new BrokerOptions(
            BrokerFixture.localOptions().listeners(),
            2,
            null,
            null,
            2,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null);
    fixture = BrokerFixture.start(dir, options, m -> never.future());
    RawMqttClient pub = raw("pub", true, MqttVersion.MQTT_5);
    for (int i = 1; i <= 3; i++) {
      pub.send(RawMqttClient.publish("t", "x", 1, i, false));
    }
    assertThat(disconnectReason(pub.expect(MqttMessageType.DISCONNECT, WAIT))).isEqualTo(0x93);
    assertThat(
            fixture.counter("outpost.broker.protocol.errors", "reason", "receive-maximum-exceeded"))
        .isEqualTo(1);
  }

  @Test
  void subscriberReceiveMaximumCapsUnacknowledgedDeliveriesAndEachAckReleasesOneMore()
      throws Exception {
    fixture = BrokerFixture.start(dir);
    RawMqttClient sub = new RawMqttClient(fixture.port());
    closeables.add(sub);
    MqttProperties receiveMaximum = new MqttProperties();
    receiveMaximum.add(
        new MqttProperties.IntegerProperty(
            MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value(), 2));
    sub.send(
        MqttMessageBuilders.connect()
            .clientId("sub")
            .cleanSession(true)
            .protocolVersion(MqttVersion.MQTT_5)
            .keepAlive(60)
            .properties(receiveMaximum)
            .build());
    assertThat(sub.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    sub.send(RawMqttClient.subscribe(1, "rm/#", 1));
    assertThat(sub.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    for (int i = 0; i < 5; i++) {
      BrokerFixture.await(
          fixture.broker.publish(BrokerMessage.of("rm/" + i, Buffer.buffer("m" + i), 1, false)));
    }

    List<MqttPublishMessage> unacked = new ArrayList<>(releasedBeforeMarker(sub));
    assertThat(unacked)
        .extracting(BoundsIT::payload)
        .as("at most 2 unacknowledged")
        .containsExactly("m0", "m1");
    assertThat(fixture.registry.get("outpost.broker.queued").gauge().value()).isEqualTo(3);
    List<String> got = new ArrayList<>(List.of("m0", "m1"));
    for (int queued = 2; queued >= 0; queued--) {
      sub.send(
          RawMqttClient.ack(MqttMessageType.PUBACK, unacked.remove(0).variableHeader().packetId()));
      int left = queued;
      org.awaitility.Awaitility.await()
          .atMost(WAIT)
          .until(() -> fixture.registry.get("outpost.broker.queued").gauge().value() == left);
      List<MqttPublishMessage> released = releasedBeforeMarker(sub);
      assertThat(released).as("one PUBACK frees one slot").hasSize(1);
      unacked.add(released.get(0));
      got.add(payload(released.get(0)));
    }
    assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");
    assertThat(fixture.registry.get("outpost.broker.inflight").gauge().value()).isEqualTo(2);
    for (MqttPublishMessage p : unacked) {
      sub.send(RawMqttClient.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> fixture.registry.get("outpost.broker.inflight").gauge().value() == 0);
    assertThat(releasedBeforeMarker(sub)).isEmpty();
  }

  @Test
  void silentClientIsDisconnectedAfterServerKeepAlive() throws Exception {
    fixture =
        BrokerFixture.start(
            dir, BrokerFixture.localOptions().withMaxKeepAliveSeconds(5), PublishRouter.NONE);
    RawMqttClient silent = new RawMqttClient(fixture.port());
    closeables.add(silent);
    silent.send(
        io.netty.handler.codec.mqtt.MqttMessageBuilders.connect()
            .clientId("silent")
            .protocolVersion(MqttVersion.MQTT_5)
            .keepAlive(0)
            .build());
    assertThat(silent.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    fixture.clock.advance(Duration.ofSeconds(8));
    assertThat(disconnectReason(silent.expect(MqttMessageType.DISCONNECT, WAIT))).isEqualTo(0x8D);
  }

  @Test
  void refusesSubscriptionsBeyondTheLimit() throws Exception {
    BrokerOptions options =
        new BrokerOptions(
            BrokerFixture.localOptions().listeners(),
            2,
            null,
            null,
            null,
            null,
            null,
            null,
            2,
            null,
            null,
            null,
            null,
            null,
            null);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    RawMqttClient c = raw("c", true, MqttVersion.MQTT_3_1_1);
    c.send(
        io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe()
            .messageId(1)
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "a")
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "b")
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "c")
            .build());
    io.netty.handler.codec.mqtt.MqttSubAckMessage ack =
        (io.netty.handler.codec.mqtt.MqttSubAckMessage) c.expect(MqttMessageType.SUBACK, WAIT);
    assertThat(ack.payload().reasonCodes()).containsExactly(1, 1, 0x80);
  }

  @Test
  void invalidFiltersGetTopicFilterInvalidInSuback() throws Exception {
    fixture = BrokerFixture.start(dir);
    RawMqttClient c = raw("c", true, MqttVersion.MQTT_5);
    c.send(
        io.netty.handler.codec.mqtt.MqttMessageBuilders.subscribe()
            .messageId(1)
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.EXACTLY_ONCE, "ok/#")
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "a/#/b")
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "$share/g+/x")
            .build());
    io.netty.handler.codec.mqtt.MqttSubAckMessage ack =
        (io.netty.handler.codec.mqtt.MqttSubAckMessage) c.expect(MqttMessageType.SUBACK, WAIT);
    assertThat(ack.payload().reasonCodes()).containsExactly(2, 0x8F, 0x8F);
  }

  @Test
  void publishToAnInvalidTopicClosesWithTopicNameInvalid() throws Exception {
    fixture = BrokerFixture.start(dir);
    RawMqttClient c = raw("c", true, MqttVersion.MQTT_5);
    c.send(RawMqttClient.publish("a/+/b", "x", 1, 1, false));
    assertThat(disconnectReason(c.expect(MqttMessageType.DISCONNECT, WAIT))).isIn(0x90, 0x81);
    assertThat(c.closedByPeer(WAIT)).isTrue();
  }

  @Test
  void qos0ToAReaderThatStoppedReadingIsDroppedNotBuffered() throws Exception {
    BrokerOptions options =
        BrokerFixture.localOptions().withQueueing(8, 10, QueueOverflowPolicy.DROP_OLDEST);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    RawMqttClient stalled = raw("stalled", true, MqttVersion.MQTT_3_1_1);
    stalled.send(RawMqttClient.subscribe(1, "bulk/#", 0));
    assertThat(stalled.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    io.vertx.core.buffer.Buffer payload = io.vertx.core.buffer.Buffer.buffer(new byte[64 * 1024]);
    for (int i = 0; i < 400; i++) {
      BrokerFixture.await(fixture.broker.publish(BrokerMessage.of("bulk/" + i, payload, 0, false)));
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(
            () ->
                fixture.counter("outpost.broker.messages.dropped", "reason", "slow-consumer") > 0);
  }

  @Test
  void publisherOfQos0ToAReaderThatFellBehindIsThrottledNotDisconnected() throws Exception {
    BrokerOptions options =
        BrokerFixture.localOptions().withQueueing(8, 10, QueueOverflowPolicy.DROP_OLDEST);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    RawMqttClient stalled = raw("stalled", true, MqttVersion.MQTT_3_1_1);
    stalled.send(RawMqttClient.subscribe(1, "bulk/#", 0));
    assertThat(stalled.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    RawMqttClient publisher = raw("publisher", true, MqttVersion.MQTT_3_1_1);
    String payload = "x".repeat(64 * 1024);
    for (int i = 0; i < 400; i++) {
      publisher.send(RawMqttClient.publish("bulk/" + i, payload, 0, 0, false));
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> fixture.counter("outpost.broker.publishers.throttled") > 0);
    // paused for moments, never cut off: the publisher is still served
    publisher.send(RawMqttClient.subscribe(2, "other", 0));
    assertThat(publisher.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    assertThat(fixture.broker.connectedClients()).isEqualTo(2);
  }

  @Test
  void
      publisherOfQos1ToASubscriberThatFellBehindIsHeldThenServedAndEveryMessageIsDeliveredOrCounted()
          throws Exception {
    BrokerOptions options =
        BrokerFixture.localOptions().withQueueing(1, 8, QueueOverflowPolicy.DROP_OLDEST);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    RawMqttClient stalled = raw("stalled", true, MqttVersion.MQTT_3_1_1);
    stalled.send(RawMqttClient.subscribe(1, "q/#", 1));
    assertThat(stalled.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    RawMqttClient publisher = raw("publisher", true, MqttVersion.MQTT_3_1_1);
    int sent = 12;
    for (int i = 1; i <= sent; i++) {
      publisher.send(RawMqttClient.publish("q/" + i, "m" + i, 1, i, false));
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> fixture.counter("outpost.broker.publishers.throttled") > 0);

    // the subscriber catches up: it acknowledges whatever reaches it until every message is
    // delivered or counted as dropped (a busy machine may pause the stream for seconds)
    List<String> got = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (got.size() + queueFullDrops() < sent && System.nanoTime() < deadline) {
      MqttMessage next = stalled.expect(MqttMessageType.PUBLISH, Duration.ofSeconds(1));
      if (next != null) {
        MqttPublishMessage p = (MqttPublishMessage) next;
        got.add(p.payload().toString(StandardCharsets.UTF_8));
        stalled.send(RawMqttClient.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
      }
    }
    double dropped = queueFullDrops();
    assertThat(got.size() + (long) dropped).as("delivered plus counted drops").isEqualTo(sent);
    assertThat(got).doesNotHaveDuplicates();
    // held, never cut off: once the subscriber caught up the publisher is read from again
    publisher.send(RawMqttClient.subscribe(99, "other", 0));
    assertThat(publisher.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    assertThat(fixture.broker.connectedClients()).isEqualTo(2);
  }

  private double queueFullDrops() {
    return fixture.counter("outpost.broker.messages.dropped", "reason", "queue-full");
  }
}
