package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.gateway.config.ConfigLoader;
import io.outpost.testkit.StandInCloud;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message larger than the cloud link can send ({@code cloud.maxMessageBytes}) is refused at
 * ingress, against the stand-in cloud: MQTT 5 gets PUBACK 0x97 with a {@code too-large} reason
 * string, MQTT 3.1.1 gets no PUBACK; nothing is spooled or dead-lettered, and the refusal is
 * counted as {@code too-large}. Messages that fit pass as before.
 */
@Timeout(60)
class TooLargeForCloudTest {

  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {listen: "127.0.0.1:0"}
      cloud: {url: "%s", clientId: edge-big, mqttVersion: "3.1.1", maxMessageBytes: 1024,
              backoff: {initialMillis: 50, maxMillis: 500}}
      routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
      """;
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final StandInCloud cloud = StandInCloud.start();
  private final HttpClient http = HttpClient.newHttpClient();
  private Gateway gateway;

  @BeforeEach
  void start() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"), CONFIG.formatted(dir.resolve("data"), cloud.url()));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
  }

  @AfterEach
  void stop() {
    try {
      if (gateway != null) {
        gateway.stop(Duration.ofSeconds(10));
      }
    } finally {
      cloud.close();
    }
  }

  private String brokerUrl() {
    return "tcp://127.0.0.1:" + gateway.brokerPorts().get(0);
  }

  private JsonObject admin(String path) throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .header("Authorization", "Bearer " + token)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  private double tooLargeDrops() throws Exception {
    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    String metrics =
        http.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + gateway.adminPort() + "/metrics"))
                    .header("Authorization", "Bearer " + token)
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return metrics
        .lines()
        .filter(
            l ->
                l.startsWith("outpost_broker_messages_dropped_total{")
                    && l.contains("reason=\"too-large\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  @Test
  void mqtt5PublishTooLargeForTheCloudGetsQuotaExceededAndIsNeitherSpooledNorDeadLettered()
      throws Exception {
    MqttAsyncClient device = new MqttAsyncClient(brokerUrl(), "pump-5", new MemoryPersistence());
    try {
      device.connect().waitForCompletion(WAIT.toMillis());
      int code;
      String reason = null;
      try {
        IMqttToken big =
            device.publish(
                "devices/pump-5/telemetry", new MqttMessage(new byte[2000], 1, false, null));
        big.waitForCompletion(WAIT.toMillis());
        code = big.getReasonCodes()[0];
        reason =
            big.getResponse() == null || big.getResponse().getProperties() == null
                ? null
                : big.getResponse().getProperties().getReasonString();
      } catch (MqttException e) {
        code = e.getReasonCode();
      }
      assertThat(code).as("PUBACK reason code").isEqualTo(0x97);
      if (reason != null) {
        assertThat(reason).startsWith("too-large").contains("cloud.maxMessageBytes");
      }
      device
          .publish(
              "devices/pump-5/telemetry",
              new MqttMessage("fits".getBytes(StandardCharsets.UTF_8), 1, false, null))
          .waitForCompletion(WAIT.toMillis());
    } finally {
      if (device.isConnected()) {
        device.disconnect().waitForCompletion(WAIT.toMillis());
      }
      device.close();
    }

    await().atMost(WAIT).until(() -> cloud.count("devices/+/telemetry") == 1);
    assertThat(cloud.received("devices/+/telemetry"))
        .singleElement()
        .satisfies(r -> assertThat(r.text()).isEqualTo("fits"));
    JsonObject spool = admin("/api/spool");
    assertThat(spool.getLong("deadLetters")).isZero();
    assertThat(spool.getJsonObject("dropped").getLong("too-large")).isZero();
    assertThat(spool.getJsonObject("dropped").getLong("rejected-by-cloud")).isZero();
    assertThat(tooLargeDrops()).isEqualTo(1.0);
  }

  @Test
  void mqtt311PublishTooLargeForTheCloudGetsNoPubackWhileLaterOnesAreAcknowledged()
      throws Exception {
    org.eclipse.paho.client.mqttv3.MqttAsyncClient device =
        new org.eclipse.paho.client.mqttv3.MqttAsyncClient(
            brokerUrl(), "pump-3", new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
    try {
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      options.setAutomaticReconnect(false);
      device.connect(options).waitForCompletion(WAIT.toMillis());
      IMqttDeliveryToken big = device.publish("devices/pump-3/telemetry", new byte[2000], 1, false);
      IMqttDeliveryToken small =
          device.publish(
              "devices/pump-3/telemetry", "fits".getBytes(StandardCharsets.UTF_8), 1, false);
      small.waitForCompletion(WAIT.toMillis());
      // acknowledgements leave in arrival order: had the large one been acknowledged, it would have
      // been first
      assertThat(big.isComplete()).as("PUBACK for the too-large publish").isFalse();
      assertThat(device.isConnected()).as("the device stays connected").isTrue();
      // a normal DISCONNECT, waited for: a forcible one can leave Paho's receiver handling a late
      // packet after close() cleared its callback (a NullPointerException on that thread)
      device.disconnect(0).waitForCompletion(WAIT.toMillis());
    } finally {
      device.close(true);
    }
    await().atMost(WAIT).until(() -> cloud.count("devices/+/telemetry") == 1);
    assertThat(admin("/api/spool").getLong("deadLetters")).isZero();
    assertThat(tooLargeDrops()).isEqualTo(1.0);
  }
}
