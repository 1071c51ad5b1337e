package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every MQTT 5 application property a publisher sets (payload format indicator, message expiry,
 * content type, response topic, correlation data, user properties) and the subscriber's
 * subscription identifier reach a Paho MQTT 5 subscriber on every delivery path, with empty and
 * non-empty payloads, at every QoS the path supports.
 */
class PropertiesConformanceIT {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long EXPIRY_SECONDS = 3600;

  /** How far the broker's clock moves between publish and a later delivery (retained, queued). */
  private static final Duration LATER = Duration.ofSeconds(100);

  private static final int SUBSCRIPTION_ID = 7;
  private static final List<UserProperty> USER_PROPERTIES =
      List.of(
          new UserProperty("k", "v1"), new UserProperty("k", "v2"), new UserProperty("empty", ""));
  private static final byte[] CORRELATION = {0, 1, 2, (byte) 0xFF};

  /** How the message travels from publisher to subscriber. */
  enum Path {
    LIVE(false, false),
    /** Published with RETAIN to a connected subscriber; an empty payload also clears the topic. */
    LIVE_WITH_RETAIN_FLAG(false, false),
    SHARED_SUBSCRIPTION(false, false),
    RETAINED(true, false),
    RETAINED_AFTER_RESTART(true, true),
    QUEUED_FOR_OFFLINE_SESSION(true, false),
    QUEUED_AFTER_RESTART(true, true);

    final boolean later;
    final boolean restart;

    Path(boolean later, boolean restart) {
      this.later = later;
      this.restart = restart;
    }

    boolean retained() {
      return this == RETAINED || this == RETAINED_AFTER_RESTART;
    }

    boolean retainFlag() {
      return retained() || this == LIVE_WITH_RETAIN_FLAG;
    }

    boolean queued() {
      return this == QUEUED_FOR_OFFLINE_SESSION || this == QUEUED_AFTER_RESTART;
    }
  }

  @TempDir java.nio.file.Path dir;
  BrokerFixture fixture;
  final List<V5Client> clients = new ArrayList<>();

  static Stream<Arguments> cases() {
    List<Arguments> cases = new ArrayList<>();
    for (Path path : Path.values()) {
      for (int qos = 0; qos <= 2; qos++) {
        if (path.queued() && qos == 0) {
          continue; // QoS 0 is not queued for an offline session
        }
        for (String payload : List.of("", "{\"t\":21.5}")) {
          if (path.retained() && payload.isEmpty()) {
            continue; // an empty retained payload clears the topic: nothing is retained
          }
          cases.add(Arguments.of(path, qos, payload));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} qos {1} payload ''{2}''")
  @MethodSource("cases")
  void everyPropertyReachesThePahoSubscriber(Path path, int qos, String payload) throws Exception {
    deliver(path, qos, payload, properties(), true);
  }

  @ParameterizedTest(name = "{0} qos {1} payload ''{2}''")
  @MethodSource("cases")
  void userPropertiesAloneReachThePahoSubscriber(Path path, int qos, String payload)
      throws Exception {
    MqttProperties only = new MqttProperties();
    only.setUserProperties(USER_PROPERTIES);
    deliver(path, qos, payload, only, false);
  }

  private void deliver(Path path, int qos, String payload, MqttProperties properties, boolean full)
      throws Exception {
    fixture = BrokerFixture.start(dir);
    String filter = path == Path.SHARED_SUBSCRIPTION ? "$share/g/c/#" : "c/#";
    V5Client sub = client("sub");
    V5Client pub = client("pub").connect();
    if (!path.retained()) {
      sub.connect(V5Client.options(!path.queued(), path.queued() ? 600L : null));
      subscribe(sub, filter);
      if (path.queued()) {
        sub.client.disconnect().waitForCompletion(V5Client.TIMEOUT_MILLIS);
      }
    }
    pub.publish(
        "c/1",
        new MqttMessage(
            payload.getBytes(StandardCharsets.UTF_8), qos, path.retainFlag(), properties));
    if (path.retained()) {
      // a QoS 0 publish is not acknowledged: wait until the broker holds it before moving its clock
      await()
          .atMost(WAIT)
          .until(() -> fixture.registry.get("outpost.broker.retained").gauge().value() == 1);
    }
    if (path.restart) {
      pub.close();
      fixture.restart();
      sub = client("sub");
    }
    if (path.later) {
      fixture.clock.advance(LATER);
    }
    if (path.retained()) {
      sub.connect();
      subscribe(sub, filter);
    } else if (path.queued()) {
      sub.connect(V5Client.options(false, 600L));
    }

    V5Client receiver = sub;
    await().atMost(WAIT).until(() -> receiver.received.size() == 1);
    V5Client.Received got = receiver.received.get(0);
    assertThat(got.topic()).isEqualTo("c/1");
    assertThat(got.text()).isEqualTo(payload);
    assertThat(got.message().getQos()).isEqualTo(qos);
    MqttProperties p = got.message().getProperties();
    assertThat(p.getUserProperties()).containsExactlyElementsOf(USER_PROPERTIES);
    if (!full) {
      assertThat(p.getContentType()).isNull();
      assertThat(p.getMessageExpiryInterval()).isNull();
      return;
    }
    assertThat(p.getContentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(p.getResponseTopic()).isEqualTo("reply/c/1");
    assertThat(p.getCorrelationData()).containsExactly(CORRELATION);
    assertThat(p.getPayloadFormat()).isTrue();
    assertThat(p.getSubscriptionIdentifiers()).containsExactly(SUBSCRIPTION_ID);
    long maxLeft = path.later ? EXPIRY_SECONDS - LATER.toSeconds() : EXPIRY_SECONDS;
    assertThat(p.getMessageExpiryInterval()).isBetween(maxLeft - 30, maxLeft);
  }

  private static MqttProperties properties() {
    MqttProperties props = new MqttProperties();
    props.setUserProperties(USER_PROPERTIES);
    props.setContentType("text/plain; charset=utf-8");
    props.setResponseTopic("reply/c/1");
    props.setCorrelationData(CORRELATION);
    props.setPayloadFormat(true);
    props.setMessageExpiryInterval(EXPIRY_SECONDS);
    return props;
  }

  private static void subscribe(V5Client c, String filter) throws MqttException {
    MqttProperties subProps = new MqttProperties();
    subProps.setSubscriptionIdentifier(SUBSCRIPTION_ID);
    c.client
        .subscribe(new MqttSubscription[] {new MqttSubscription(filter, 2)}, null, null, subProps)
        .waitForCompletion(V5Client.TIMEOUT_MILLIS);
  }

  private V5Client client(String id) throws MqttException {
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
}
