package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interoperability with the Eclipse Paho MQTT 3.1.1 client. */
class PahoV3IT {

  @TempDir Path dir;
  BrokerFixture fixture;
  final List<MqttClient> clients = new ArrayList<>();

  @BeforeEach
  void startBroker() {
    fixture = BrokerFixture.start(dir);
  }

  @AfterEach
  void stop() throws MqttException {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 100);
      }
      c.close(true);
    }
    fixture.close();
  }

  record Received(String topic, String payload, int qos, boolean retained, boolean dup) {}

  MqttClient client(String id, boolean clean, List<Received> sink, AtomicBoolean lost)
      throws MqttException {
    MqttClient c = new MqttClient(fixture.url(), id, new MemoryPersistence());
    clients.add(c);
    c.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {
            if (lost != null) {
              lost.set(true);
            }
          }

          @Override
          public void messageArrived(String topic, MqttMessage m) {
            sink.add(
                new Received(
                    topic,
                    new String(m.getPayload(), StandardCharsets.UTF_8),
                    m.getQos(),
                    m.isRetained(),
                    m.isDuplicate()));
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    c.connect(o);
    return c;
  }

  @Test
  void deliversAtEveryQosCappedBySubscriptionQos() throws Exception {
    List<Received> got = new CopyOnWriteArrayList<>();
    MqttClient sub = client("sub", true, got, null);
    sub.subscribe("t/#", 1);
    MqttClient pub = client("pub", true, new ArrayList<>(), null);
    pub.publish("t/0", "zero".getBytes(StandardCharsets.UTF_8), 0, false);
    pub.publish("t/1", "one".getBytes(StandardCharsets.UTF_8), 1, false);
    pub.publish("t/2", "two".getBytes(StandardCharsets.UTF_8), 2, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 3);
    assertThat(got)
        .containsExactly(
            new Received("t/0", "zero", 0, false, false),
            new Received("t/1", "one", 1, false, false),
            new Received("t/2", "two", 1, false, false));
    assertThat(fixture.counter("outpost.broker.messages.received")).isEqualTo(3);
  }

  @Test
  void qos2SubscriberGetsQos2() throws Exception {
    List<Received> got = new CopyOnWriteArrayList<>();
    client("sub", true, got, null).subscribe("a/+/c", 2);
    MqttClient pub = client("pub", true, new ArrayList<>(), null);
    for (int i = 0; i < 50; i++) {
      pub.publish("a/" + i + "/c", ("m" + i).getBytes(StandardCharsets.UTF_8), 2, false);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 50);
    assertThat(got).allMatch(r -> r.qos() == 2);
    assertThat(got.stream().map(Received::payload))
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 50).mapToObj(i -> "m" + i).toList());
  }

  @Test
  void retainedMessageGoesToLaterSubscribersUntilCleared() throws Exception {
    MqttClient pub = client("pub", true, new ArrayList<>(), null);
    pub.publish("r/x", "kept".getBytes(StandardCharsets.UTF_8), 1, true);
    List<Received> got = new CopyOnWriteArrayList<>();
    client("late", true, got, null).subscribe("r/#", 1);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
    assertThat(got.get(0)).isEqualTo(new Received("r/x", "kept", 1, true, false));

    pub.publish("r/x", new byte[0], 1, true);
    List<Received> after = new CopyOnWriteArrayList<>();
    client("later", true, after, null).subscribe("r/#", 1);
    pub.publish("r/y", "live".getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> after.size() == 1);
    assertThat(after.get(0).payload()).isEqualTo("live");
  }

  @Test
  void dollarTopicsAreNotMatchedByLeadingWildcards() throws Exception {
    List<Received> got = new CopyOnWriteArrayList<>();
    MqttClient sub = client("sub", true, got, null);
    sub.subscribe(new String[] {"#", "$SYS/#"}, new int[] {1, 1});
    MqttClient pub = client("pub", true, new ArrayList<>(), null);
    pub.publish("$SYS/x", "sys".getBytes(StandardCharsets.UTF_8), 1, false);
    pub.publish("plain", "plain".getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 2);
    assertThat(got).extracting(Received::topic).containsExactly("$SYS/x", "plain");
  }

  @Test
  void queuesForOfflinePersistentSessionAndResumesIt() throws Exception {
    List<Received> got = new CopyOnWriteArrayList<>();
    MqttClient sub = client("durable", false, got, null);
    sub.subscribe("q/#", 1);
    sub.disconnect();
    MqttClient pub = client("pub", true, new ArrayList<>(), null);
    for (int i = 0; i < 5; i++) {
      pub.publish("q/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false);
    }
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    sub.connect(o);
    await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 5);
    assertThat(got).extracting(Received::payload).containsExactly("m0", "m1", "m2", "m3", "m4");
  }

  @Test
  void cleanSessionDiscardsPreviousSubscriptions() throws Exception {
    List<Received> got = new CopyOnWriteArrayList<>();
    MqttClient sub = client("c1", false, got, null);
    sub.subscribe("q/#", 1);
    sub.disconnect();
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    sub.connect(o);
    MqttClient pub = client("pub", true, new ArrayList<>(), null);
    pub.publish("q/1", "x".getBytes(StandardCharsets.UTF_8), 1, false);
    List<Received> control = new CopyOnWriteArrayList<>();
    client("control", true, control, null).subscribe("q/#", 1);
    pub.publish("q/2", "y".getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(Duration.ofSeconds(10)).until(() -> control.size() == 1);
    assertThat(got).isEmpty();
  }

  @Test
  void duplicateClientIdTakesOverTheConnection() throws Exception {
    AtomicBoolean firstLost = new AtomicBoolean();
    client("same", true, new ArrayList<>(), firstLost);
    MqttClient second = client("same", true, new ArrayList<>(), null);
    await().atMost(Duration.ofSeconds(10)).untilTrue(firstLost);
    assertThat(second.isConnected()).isTrue();
    await().atMost(Duration.ofSeconds(10)).until(() -> fixture.broker.connectedClients() == 1);
  }
}
