package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The skeleton end to end: a daemon started in-process from YAML serves a real MQTT client. */
class GatewayVerticalSliceTest {

  @TempDir Path dir;

  private Gateway gateway;
  private MqttClient client;

  @AfterEach
  void tearDown() throws Exception {
    if (client != null) {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    }
    if (gateway != null) {
      assertThat(gateway.stop(Duration.ofSeconds(10))).isTrue();
    }
  }

  @Test
  void clientReceivesItsOwnMessageAndTheCloudBoundCopyIsSpooled() throws Exception {
    gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker:
          listeners: [{host: 127.0.0.1, port: 0}]
        storage:
          dir: %s
        routes:
          - {from: local, filter: "devices/+/telemetry", to: cloud}
        admin:
          listen: 127.0.0.1:0
        """
                        .formatted(dir.resolve("data")),
                    "test"));
    int port = gateway.brokerPorts().get(0);

    client = new MqttClient("tcp://127.0.0.1:" + port, "slice-device", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    client.connect(options);
    BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
    client.subscribe(
        new MqttSubscription[] {new MqttSubscription("devices/+/telemetry", 1)},
        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
          (topic, message) -> received.add(message)
        });

    client.publish(
        "devices/pump-7/telemetry",
        "{\"pressure\":3.2}".getBytes(StandardCharsets.UTF_8),
        1,
        false);

    MqttMessage echo = received.poll(10, TimeUnit.SECONDS);
    assertThat(echo).as("own message delivered back").isNotNull();
    assertThat(new String(echo.getPayload(), StandardCharsets.UTF_8))
        .isEqualTo("{\"pressure\":3.2}");
    assertThat(gateway.spool().stats().depth())
        .as("spooled for the cloud before PUBACK")
        .isEqualTo(1);
    assertThat(gateway.spool().stats().depthByRoute()).containsEntry("route-0", 1L);
  }

  private HttpRequest adminGet(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b.build();
  }

  @Test
  void adminApiNeedsTheTokenAndReportsReadyOnceListenersAreBound() throws Exception {
    gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
        broker:
          listeners: [{host: 127.0.0.1, port: 0}]
        storage:
          dir: %s
        admin:
          listen: 127.0.0.1:0
        """
                        .formatted(dir.resolve("data")),
                    "test"));

    String token = Files.readString(dir.resolve("data").resolve("admin.token")).trim();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> ready =
        http.send(adminGet("/health/ready", token), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> metrics =
        http.send(adminGet("/metrics", token), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> anonymous =
        http.send(adminGet("/api/status", null), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrong =
        http.send(adminGet("/api/status", token + "0"), HttpResponse.BodyHandlers.ofString());

    assertThat(Files.getPosixFilePermissions(dir.resolve("data").resolve("admin.token")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(wrong.body()).isEqualTo(anonymous.body()).doesNotContain(token);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).contains("\"UP\"");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("jvm_memory_used_bytes");
  }
}
