package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MqttBroker#applyLimits}: new bounds take effect on the running broker without dropping
 * anyone.
 */
class LiveLimitsIT {

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

  private V5Client connected(String id) throws MqttException {
    V5Client c = new V5Client(fixture.url(), id);
    closeables.add(c);
    return c.connect();
  }

  @Test
  void loweredMaxConnectionsRefusesNewClientsAndKeepsConnectedOnes() throws Exception {
    fixture =
        BrokerFixture.start(
            dir, BrokerFixture.localOptions().withMaxConnections(10), PublishRouter.NONE);
    V5Client a = connected("a");
    V5Client b = connected("b");
    V5Client c = connected("c");
    b.client.subscribe("live/#", 1).waitForCompletion(V5Client.TIMEOUT_MILLIS);

    // applied from a thread that is not an event loop, as the config reloader does
    List<String> notApplied =
        CompletableFuture.supplyAsync(
                () -> fixture.broker.applyLimits(fixture.options.withMaxConnections(2)))
            .get();

    assertThat(notApplied).isEmpty();
    V5Client d = new V5Client(fixture.url(), "d");
    closeables.add(d);
    assertThatThrownBy(d::connect)
        .isInstanceOf(MqttException.class)
        .satisfies(e -> assertThat(((MqttException) e).getReasonCode()).isEqualTo(0x97));
    assertThat(fixture.counter("outpost.broker.connections.rejected", "reason", "max-connections"))
        .isEqualTo(1);
    // the three clients connected before the change are still connected and served
    assertThat(List.of(a, b, c))
        .allSatisfy(client -> assertThat(client.client.isConnected()).isTrue());
    assertThat(fixture.broker.connectedClients()).isEqualTo(3);
    a.publish("live/1", "still here", 1, false);
    await().atMost(WAIT).until(() -> b.received.size() == 1);
    assertThat(b.received.get(0).text()).isEqualTo("still here");
  }

  @Test
  void raisedMaxConnectionsAdmitsMoreClients() throws Exception {
    fixture =
        BrokerFixture.start(
            dir, BrokerFixture.localOptions().withMaxConnections(1), PublishRouter.NONE);
    connected("a");

    assertThat(fixture.broker.applyLimits(fixture.options.withMaxConnections(2))).isEmpty();

    assertThat(connected("b").client.isConnected()).isTrue();
    assertThat(fixture.broker.connectedClients()).isEqualTo(2);
  }

  @Test
  void loweredMaxPacketBytesAppliesToNewConnections() throws Exception {
    fixture = BrokerFixture.start(dir, BrokerFixture.localOptions(), PublishRouter.NONE);
    RawMqttClient before = raw("before");

    assertThat(fixture.broker.applyLimits(fixture.options.withMaxPacketBytes(1024))).isEmpty();

    RawMqttClient after = raw("after");
    after.send(RawMqttClient.publish("t", "x".repeat(2000), 0, 0, false));
    assertThat(after.closedByPeer(WAIT)).isTrue();
    await().atMost(WAIT).until(() -> fixture.broker.connectedClients() == 1);
    before.send(RawMqttClient.subscribe(1, "ok", 0));
    assertThat(before.expect(MqttMessageType.SUBACK, WAIT)).isNotNull();
  }

  @Test
  void reportsListenersAndInstancesAsNotAppliedAndKeepsThem() throws Exception {
    fixture = BrokerFixture.start(dir, BrokerFixture.localOptions(), PublishRouter.NONE);
    int port = fixture.port();
    BrokerOptions next =
        fixture
            .options
            .withListeners(List.of(ListenerOptions.of("127.0.0.1", 1)))
            .withInstances(1)
            .withMaxConnections(5);

    assertThat(fixture.broker.applyLimits(next)).containsExactly("listeners", "instances");

    assertThat(fixture.broker.boundPorts()).containsExactly(port);
    assertThat(connected("a").client.isConnected()).isTrue();
  }

  private RawMqttClient raw(String id) throws Exception {
    RawMqttClient c = new RawMqttClient(fixture.port());
    closeables.add(c);
    c.send(RawMqttClient.connect(id, true, MqttVersion.MQTT_5));
    assertThat(c.expect(MqttMessageType.CONNACK, WAIT)).isNotNull();
    return c;
  }
}
