package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.gateway.config.ConfigLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code broker.nativeTransport}: the daemon's sockets run on epoll where the shipped native
 * library loads (Linux on x86_64 and aarch64), on Java NIO when the key is false, and devices are
 * served the same on both.
 */
@Timeout(60)
class SocketTransportTest {

  @TempDir Path dir;

  @Test
  void onLinuxTheSocketsRunOnEpollByDefaultAndServeDevices() throws Exception {
    assumeTrue(
        System.getProperty("os.name").startsWith("Linux")
            && List.of("amd64", "x86_64", "aarch64").contains(System.getProperty("os.arch")),
        "the package ships epoll for Linux on x86_64 and aarch64");

    assertThat(transportServingARoundTrip("")).isEqualTo("epoll");
  }

  @Test
  void nativeTransportFalseKeepsTheSocketsOnJavaNio() throws Exception {
    assertThat(transportServingARoundTrip("nativeTransport: false")).isEqualTo("nio");
  }

  /** Starts the daemon, sends a QoS 1 message through it, returns the transport status shows. */
  private String transportServingARoundTrip(String brokerKey) throws Exception {
    Gateway gateway =
        Gateway.start(
            new ConfigLoader()
                .parse(
                    """
                    broker: {listeners: [{host: 127.0.0.1, port: 0}] %s}
                    storage: {dir: %s}
                    admin: {enabled: false}
                    """
                        .formatted(
                            brokerKey.isEmpty() ? "" : ", " + brokerKey, dir.resolve("data")),
                    "test"));
    try {
      MqttClient device =
          new MqttClient(
              "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "dev-1", new MemoryPersistence());
      try {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setConnectionTimeout(10);
        device.connect(options);
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        device.subscribe(
            new MqttSubscription[] {new MqttSubscription("echo/#", 1)},
            new IMqttMessageListener[] {
              (topic, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8))
            });
        MqttMessage m = new MqttMessage("over the wire".getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        device.publish("echo/1", m);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("over the wire");
        device.disconnect();
      } finally {
        device.close();
      }
      return new StatusReport(gateway).get().getJsonObject("broker").getString("transport");
    } finally {
      assertThat(gateway.stop(Duration.ofSeconds(10))).isTrue();
    }
  }
}
