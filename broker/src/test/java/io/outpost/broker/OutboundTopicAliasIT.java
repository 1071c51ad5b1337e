package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Outbound topic aliases: the broker sends a topic once with an alias and the alias alone after, up
 * to the subscriber's Topic Alias Maximum, and not at all when {@code outboundTopicAliases} is off.
 */
class OutboundTopicAliasIT {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  BrokerFixture fixture;
  final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void subscriberAllowingAliasesReceivesEveryMessageOnItsOwnTopic() throws Exception {
    fixture = BrokerFixture.start(dir);
    // the HiveMQ MQTT client resolves the aliases a broker sends (Paho Java 1.2.5 and libmosquitto
    // 2.0 do not)
    Mqtt5BlockingClient sub =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("hsub")
            .serverHost("127.0.0.1")
            .serverPort(fixture.port())
            .buildBlocking();
    sub.connectWith().restrictions().topicAliasMaximum(2).applyRestrictions().send();
    closing.add(
        () -> {
          if (sub.getState().isConnected()) {
            sub.disconnect();
          }
        });
    List<String> received = new ArrayList<>();
    try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
        sub.publishes(MqttGlobalPublishFilter.ALL)) {
      sub.subscribeWith().topicFilter("a/#").qos(MqttQos.AT_LEAST_ONCE).send();
      V5Client pub = v5("pub").connect();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        String topic =
            "a/sensor-" + (i % 3); // more topics than aliases: the third is sent in full each time
        String payload = topic + "#" + i;
        pub.publish(topic, payload, i % 2, false);
        sent.add(topic + " " + payload);
      }
      for (int i = 0; i < sent.size(); i++) {
        Mqtt5Publish p = publishes.receive(WAIT.toSeconds(), TimeUnit.SECONDS).orElseThrow();
        received.add(
            p.getTopic() + " " + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8));
      }
      // every payload arrives with its own topic (the client hands QoS 0 and QoS 1 messages over
      // separately)
      assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
    // two of the three topics have an alias, each sent in full once: 2 x 9 PUBLISHes carried the
    // alias alone
    assertThat(fixture.counter("outpost.broker.topic.alias.hits")).isEqualTo(18.0);
  }

  @Test
  void secondPublishOnATopicCarriesAnEmptyTopicAndTheAlias() throws Exception {
    fixture = BrokerFixture.start(dir);
    RawMqttClient raw = rawV5("raw", 1);
    V5Client pub = v5("pub").connect();
    pub.publish("t/one", "1", 1, false);
    pub.publish("t/one", "2", 1, false);
    pub.publish("t/two", "3", 1, false); // the client allows one alias: this topic gets none

    MqttPublishMessage first = nextPublish(raw);
    MqttPublishMessage second = nextPublish(raw);
    MqttPublishMessage third = nextPublish(raw);
    assertThat(first.variableHeader().topicName()).isEqualTo("t/one");
    assertThat(alias(first)).isEqualTo(1);
    assertThat(second.variableHeader().topicName()).isEmpty();
    assertThat(alias(second)).isEqualTo(1);
    assertThat(second.payload().toString(StandardCharsets.UTF_8)).isEqualTo("2");
    assertThat(third.variableHeader().topicName()).isEqualTo("t/two");
    assertThat(alias(third)).isNull();
  }

  @Test
  void noAliasesWhenOutboundTopicAliasesIsOff() throws Exception {
    fixture =
        BrokerFixture.start(
            dir, BrokerFixture.localOptions().withOutboundTopicAliases(false), PublishRouter.NONE);
    RawMqttClient raw = rawV5("raw", 10);
    V5Client pub = v5("pub").connect();
    pub.publish("t/one", "1", 1, false);
    pub.publish("t/one", "2", 1, false);

    for (int i = 0; i < 2; i++) {
      MqttPublishMessage m = nextPublish(raw);
      assertThat(m.variableHeader().topicName()).isEqualTo("t/one");
      assertThat(alias(m)).isNull();
    }
    assertThat(fixture.counter("outpost.broker.topic.alias.hits")).isZero();
  }

  private V5Client v5(String id) throws Exception {
    V5Client c = new V5Client(fixture.url(), id);
    closing.add(c);
    return c;
  }

  /**
   * A raw MQTT 5 client allowing {@code aliasMaximum} aliases, subscribed to {@code t/#} at QoS 1.
   */
  private RawMqttClient rawV5(String id, int aliasMaximum) throws Exception {
    RawMqttClient raw = new RawMqttClient(fixture.port());
    closing.add(raw);
    MqttProperties props = new MqttProperties();
    props.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, aliasMaximum));
    raw.send(
        MqttMessageBuilders.connect()
            .clientId(id)
            .cleanSession(true)
            .protocolVersion(MqttVersion.MQTT_5)
            .keepAlive(60)
            .properties(props)
            .build());
    assertThat(raw.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    raw.send(
        MqttMessageBuilders.subscribe()
            .messageId(1)
            .addSubscription(io.netty.handler.codec.mqtt.MqttQoS.AT_LEAST_ONCE, "t/#")
            .build());
    assertThat(raw.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
    return raw;
  }

  private static MqttPublishMessage nextPublish(RawMqttClient raw) throws Exception {
    MqttMessage m = raw.expect(MqttMessageType.PUBLISH, WAIT);
    assertThat(m).as("PUBLISH from the broker").isInstanceOf(MqttPublishMessage.class);
    MqttPublishMessage p = (MqttPublishMessage) m;
    raw.send(RawMqttClient.ack(MqttMessageType.PUBACK, p.variableHeader().packetId()));
    p.retain(); // kept readable after the codec releases its buffers
    return p;
  }

  private static Integer alias(MqttPublishMessage m) {
    MqttProperties.MqttProperty<?> p =
        m.variableHeader().properties().getProperty(MqttProperties.TOPIC_ALIAS);
    return p == null ? null : (Integer) p.value();
  }
}
