package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.cloud.CloudLinkState;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.testkit.FaultProxy;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A cloud downlink keeps every MQTT 5 application property the cloud sent (content type, response
 * topic, correlation data, payload format indicator, message expiry, user properties) on its way to
 * a local Paho MQTT 5 subscriber, with empty and non-empty payloads. The cloud is Mosquitto
 * (Moquette 0.17 speaks only 3.1.1); a Paho MQTT 5 client publishes there.
 */
@Timeout(120)
class DownlinkPropertiesIT {

  private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final byte[] CORRELATION = {0, 1, 2, (byte) 0xFF};
  private static final long EXPIRY_SECONDS = 3600;
  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {enabled: false}
      cloud: {url: "%s", clientId: edge-props, mqttVersion: "5", backoff: {initialMillis: 50, maxMillis: 500}}
      routes:
        - {name: commands, from: cloud, filter: "site/#", to: local, prefix: "local/"}
      """;

  @TempDir Path dir;
  private Process mosquitto;
  private FaultProxy cloud;
  private Gateway gateway;
  private MqttClient device;
  private MqttClient operator;

  @AfterEach
  void stop() throws Exception {
    for (MqttClient c : new MqttClient[] {device, operator}) {
      if (c != null) {
        if (c.isConnected()) {
          c.disconnect();
        }
        c.close();
      }
    }
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(10));
    }
    if (cloud != null) {
      cloud.close();
    }
    if (mosquitto != null) {
      mosquitto.destroy();
      if (!mosquitto.waitFor(10, TimeUnit.SECONDS)) {
        mosquitto.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @ParameterizedTest(name = "qos {0} payload ''{1}''")
  @CsvSource(
      value = {"0,''", "0,'{\"cmd\":\"reboot\"}'", "1,''", "1,'{\"cmd\":\"reboot\"}'"},
      quoteCharacter = '\'')
  void everyPropertyTheCloudSentReachesTheLocalPahoSubscriber(int qos, String payload)
      throws Exception {
    startCloud();
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"), CONFIG.formatted(dir.resolve("data"), cloud.url()));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    await().atMost(WAIT).until(() -> gateway.cloud().state() == CloudLinkState.ONLINE);
    List<MqttMessage> arrived = new CopyOnWriteArrayList<>();
    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "panel-1", new MemoryPersistence());
    device.connect(new MqttConnectionOptions());
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("local/#", 1)},
        new IMqttMessageListener[] {(topic, message) -> arrived.add(message)});
    operator = new MqttClient(cloud.url(), "operator", new MemoryPersistence());
    operator.connect(new MqttConnectionOptions());

    MqttProperties sent = new MqttProperties();
    sent.setContentType("application/json");
    sent.setResponseTopic("site/replies/panel-1");
    sent.setCorrelationData(CORRELATION);
    sent.setPayloadFormat(true);
    sent.setMessageExpiryInterval(EXPIRY_SECONDS);
    sent.setUserProperties(List.of(new UserProperty("k", "v1"), new UserProperty("k", "v2")));
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    // the cloud subscription may still be in flight right after ONLINE: publish until one arrives
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              operator.publish("site/panel-1/command", new MqttMessage(body, qos, false, sent));
              return !arrived.isEmpty();
            });

    MqttMessage got = arrived.get(0);
    MqttProperties p = got.getProperties();
    assertThat(got.getPayload()).isEqualTo(body);
    assertThat(p.getContentType()).isEqualTo("application/json");
    assertThat(p.getResponseTopic()).isEqualTo("site/replies/panel-1");
    assertThat(p.getCorrelationData()).isEqualTo(CORRELATION);
    assertThat(p.getPayloadFormat()).isTrue();
    assertThat(p.getMessageExpiryInterval()).isBetween(EXPIRY_SECONDS - 60, EXPIRY_SECONDS);
    assertThat(p.getUserProperties())
        .containsSubsequence(new UserProperty("k", "v1"), new UserProperty("k", "v2"));
  }

  /** Mosquitto on a Unix socket in the temp dir, fronted by a proxy on 127.0.0.1:0. */
  private void startCloud() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(MOSQUITTO), "mosquitto is not installed (apt-get install mosquitto)");
    Path socket = dir.resolve("mosquitto.sock");
    Path conf =
        Files.writeString(
            dir.resolve("mosquitto.conf"),
            String.join(
                "\n",
                "user root",
                "listener 0 " + socket,
                "allow_anonymous true",
                "persistence false",
                "log_dest stderr",
                "log_type error",
                ""));
    mosquitto =
        new ProcessBuilder(MOSQUITTO.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
    cloud = new FaultProxy(UnixDomainSocketAddress.of(socket));
  }
}
