package io.outpost.gateway.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.broker.security.ConnectFuzz;
import io.outpost.broker.security.PasswordFile;
import io.outpost.broker.security.TestPki;
import io.outpost.gateway.Gateway;
import io.outpost.gateway.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole daemon with a password file, a device-owns-its-topics policy and a mutual-TLS listener,
 * driven by real Paho MQTT 5 and 3.1.1 clients over loopback.
 */
class DeviceSecurityIT {

  @TempDir Path dir;

  private Gateway gateway;
  private int plainPort;
  private int tlsPort;
  private TestPki.Issued ca;
  private final List<MqttClient> v5 = new ArrayList<>();
  private final List<MqttAsyncClient> async = new ArrayList<>();
  private final List<org.eclipse.paho.client.mqttv3.MqttClient> v3 = new ArrayList<>();

  @BeforeEach
  void startGateway() throws Exception {
    Path passwd = dir.resolve("passwd");
    PasswordFile.empty()
        .with("device-a", "pw-a".getBytes(UTF_8))
        .with("device-b", "pw-b".getBytes(UTF_8))
        .with("alice", "pw-alice".getBytes(UTF_8))
        .save(passwd);
    ca = TestPki.ca("Devices CA");
    TestPki.Pem server = TestPki.server(ca, "gateway").write(dir, "server");
    Path caFile = Files.writeString(dir.resolve("ca.crt"), TestPki.pem(ca.cert()));
    gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker:
          listeners:
            - {host: 127.0.0.1, port: 0}
            - {host: 127.0.0.1, port: 0, tls: {certFile: %s, keyFile: %s, caFile: %s}}
        storage: {dir: %s}
        admin: {enabled: false}
        security:
          passwordFile: %s
          groups: {operators: [user:alice]}
          rules:
            - {effect: allow, actions: connect, who: authenticated}
            - {effect: allow, actions: [publish, subscribe], who: "*", topics: "devices/${username}/#"}
            - {effect: allow, actions: [publish, subscribe], who: "*", topics: "sensors/${certCN}/#"}
            - {effect: allow, actions: [publish, subscribe], who: group:operators, topics: "devices/#"}
        """
                        .formatted(
                            server.cert(), server.key(), caFile, dir.resolve("data"), passwd),
                    "test"));
    plainPort = gateway.brokerPorts().get(0);
    tlsPort = gateway.brokerPorts().get(1);
  }

  /**
   * Forcible disconnects without a DISCONNECT packet (the gateway stops next), which finish in the
   * calling thread: after Paho's asynchronous {@code disconnect()} its token can complete while the
   * client is still DISCONNECTING, and a {@code close} then only marks it for closing and can leave
   * its sender thread behind (eclipse-paho/paho.mqtt.java#1093), which the leak guard reports.
   */
  @AfterEach
  void stopGateway() throws Exception {
    for (MqttClient c : v5) {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 1_000, false);
      }
      c.close(true);
    }
    for (MqttAsyncClient c : async) {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 1_000, false);
      }
      c.close(true);
    }
    for (var c : v3) {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 1_000, false);
      }
      c.close(true);
    }
    gateway.stop(Duration.ofSeconds(10));
  }

  private MqttClient v5Client(String clientId) throws Exception {
    MqttClient c =
        new MqttClient("tcp://127.0.0.1:" + plainPort, clientId, new MemoryPersistence());
    v5.add(c);
    return c;
  }

  private MqttClient v5Connect(String user, String password) throws Exception {
    MqttClient c = v5Client(user + "-" + System.nanoTime());
    c.connect(v5Options(user, password));
    return c;
  }

  private static MqttConnectionOptions v5Options(String user, String password) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setConnectionTimeout(10);
    o.setAutomaticReconnect(false);
    if (user != null) {
      o.setUserName(user);
    }
    if (password != null) {
      o.setPassword(password.getBytes(UTF_8));
    }
    return o;
  }

  private static int v5ConnectCode(MqttClient c, MqttConnectionOptions o) {
    try {
      c.connect(o);
      return 0;
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  private static int subscribeCode(MqttClient c, String filter) {
    try {
      IMqttToken t = c.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)});
      return t.getReasonCodes()[0];
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  /** Publishes at QoS 1 and returns the PUBACK reason code. */
  private static int publishCode(MqttAsyncClient c, String topic) {
    try {
      IMqttToken t = c.publish(topic, new MqttMessage("x".getBytes(UTF_8), 1, false, null));
      t.waitForCompletion(20_000);
      int[] codes = t.getReasonCodes();
      return codes == null || codes.length == 0 ? 0 : codes[0];
    } catch (MqttException e) {
      return e.getReasonCode();
    }
  }

  private MqttAsyncClient v5AsyncConnect(String user, String password) throws Exception {
    MqttAsyncClient c =
        new MqttAsyncClient(
            "tcp://127.0.0.1:" + plainPort,
            user + "-async-" + System.nanoTime(),
            new MemoryPersistence());
    async.add(c);
    c.connect(v5Options(user, password)).waitForCompletion(20_000);
    return c;
  }

  private org.eclipse.paho.client.mqttv3.MqttClient v3Client(String url, String clientId)
      throws Exception {
    var c =
        new org.eclipse.paho.client.mqttv3.MqttClient(
            url, clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    v3.add(c);
    return c;
  }

  private static org.eclipse.paho.client.mqttv3.MqttConnectOptions v3Options(
      String user, String password) {
    var o = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
    o.setConnectionTimeout(10);
    o.setCleanSession(true);
    if (user != null) {
      o.setUserName(user);
      o.setPassword(password.toCharArray());
    }
    return o;
  }

  private static int v3ConnectCode(
      org.eclipse.paho.client.mqttv3.MqttClient c,
      org.eclipse.paho.client.mqttv3.MqttConnectOptions o) {
    try {
      c.connect(o);
      return 0;
    } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
      return e.getReasonCode();
    }
  }

  @Test
  void mqtt5ClientsGetBadCredentialsAndNotAuthorizedReasonCodes() throws Exception {
    assertThat(v5ConnectCode(v5Client("c1"), v5Options("device-a", "wrong"))).isEqualTo(0x86);
    assertThat(v5ConnectCode(v5Client("c2"), v5Options("nobody", "pw-a"))).isEqualTo(0x86);
    assertThat(v5ConnectCode(v5Client("c3"), v5Options(null, null))).isEqualTo(0x87);
    assertThat(v5ConnectCode(v5Client("c4"), v5Options("device-a", "pw-a"))).isZero();
  }

  @Test
  void mqtt311ClientsGetReturnCodes4And5() throws Exception {
    String url = "tcp://127.0.0.1:" + plainPort;
    assertThat(v3ConnectCode(v3Client(url, "c1"), v3Options("device-a", "wrong"))).isEqualTo(4);
    assertThat(v3ConnectCode(v3Client(url, "c2"), v3Options(null, null))).isEqualTo(5);
    assertThat(v3ConnectCode(v3Client(url, "c3"), v3Options("device-a", "pw-a"))).isZero();
  }

  @Test
  void deviceCannotPublishOrSubscribeToAnotherDevicesTopics() throws Exception {
    MqttClient alice = v5Connect("alice", "pw-alice");
    List<String> seen = new CopyOnWriteArrayList<>();
    alice.subscribe(
        new MqttSubscription[] {new MqttSubscription("devices/#", 1)},
        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {(topic, m) -> seen.add(topic)});
    MqttClient a = v5Connect("device-a", "pw-a");

    assertThat(subscribeCode(a, "devices/device-a/cmd/#")).isEqualTo(1);
    assertThat(subscribeCode(a, "devices/device-b/cmd/#")).isEqualTo(0x87);
    assertThat(subscribeCode(a, "#")).isEqualTo(0x87);
    assertThat(subscribeCode(a, "devices/+/cmd")).isEqualTo(0x87);
    MqttAsyncClient publisher = v5AsyncConnect("device-a", "pw-a");
    assertThat(publishCode(publisher, "devices/device-b/cmd")).isEqualTo(0x87);
    assertThat(publishCode(publisher, "devices/device-a/telemetry")).isZero();
    assertThat(publisher.isConnected()).isTrue();

    await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("devices/device-a/telemetry"));
    assertThat(seen).doesNotContain("devices/device-b/cmd");
  }

  @Test
  void mqtt311DeviceIsRefusedPerFilterAndDisconnectedForAForbiddenQos1Publish() throws Exception {
    var a = v3Client("tcp://127.0.0.1:" + plainPort, "a311");
    a.connect(v3Options("device-a", "pw-a"));

    var granted =
        a.subscribeWithResponse(
                new String[] {"devices/device-a/#", "devices/device-b/#"}, new int[] {1, 1})
            .getGrantedQos();
    assertThat(granted).containsExactly(1, 0x80);

    a.publish("devices/device-a/t", "ok".getBytes(UTF_8), 1, false);
    try {
      a.publish("devices/device-b/t", "no".getBytes(UTF_8), 1, false);
    } catch (org.eclipse.paho.client.mqttv3.MqttException expected) {
      // the broker closes the connection instead of acknowledging: the publish may fail or time out
      // client-side
      assertThat(expected).isNotNull();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> !a.isConnected());
  }

  @Test
  void clientCertificateIdentifiesTheDeviceOnTheMutualTlsListener() throws Exception {
    var sensor = v3Client("ssl://127.0.0.1:" + tlsPort, "whatever-id");
    var o = v3Options(null, null);
    o.setSocketFactory(TestPki.client(ca, "sensor-7", null).clientContext(ca).getSocketFactory());
    sensor.connect(o);

    var granted =
        sensor
            .subscribeWithResponse(
                new String[] {"sensors/sensor-7/cmd", "sensors/sensor-8/cmd"}, new int[] {1, 1})
            .getGrantedQos();
    assertThat(granted).containsExactly(1, 0x80);
  }

  @Test
  void malformedAndOversizedConnectFieldsAreRefusedAndTheBrokerStaysUp() throws Exception {
    for (byte[] packet : ConnectFuzz.packets()) {
      int answer = ConnectFuzz.send(plainPort, packet);
      assertThat(answer).as(ConnectFuzz.describe(packet)).isNotEqualTo(ConnectFuzz.ACCEPTED);
    }
    assertThat(v5ConnectCode(v5Client("after-fuzz"), v5Options("device-a", "pw-a"))).isZero();
  }
}
