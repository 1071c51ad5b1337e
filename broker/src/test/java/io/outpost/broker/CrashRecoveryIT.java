package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker runs in a child JVM that is killed with SIGKILL: everything it acknowledged for
 * offline persistent sessions, their subscriptions and retained messages must be there after a
 * restart.
 */
class CrashRecoveryIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  final List<Process> children = new ArrayList<>();
  final List<MqttClient> clients = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (MqttClient c : clients) {
      if (c.isConnected()) {
        c.disconnectForcibly(0, 100);
      }
      c.close(true);
    }
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private int startBroker() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                BrokerProcessMain.class.getName(),
                dir.resolve("data").toString())
            .redirectErrorStream(true)
            .start();
    children.add(p);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "crash-test-child-output");
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring(5).trim());
      }
    }
    throw new AssertionError("broker process exited with " + p.waitFor());
  }

  private MqttClient client(int port, String id, boolean clean, List<String> sink)
      throws Exception {
    MqttClient c = new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
    clients.add(c);
    c.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {}

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            sink.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(clean);
    o.setConnectionTimeout(10);
    c.connect(o);
    return c;
  }

  @Test
  void acknowledgedMessagesSurviveSigkill() throws Exception {
    int port = startBroker();
    List<String> got = new CopyOnWriteArrayList<>();
    MqttClient sub = client(port, "durable", false, got);
    sub.subscribe("c/#", 1);
    sub.disconnect();
    MqttClient pub = client(port, "pub", true, new ArrayList<>());
    for (int i = 0; i < 20; i++) {
      pub.publish(
          "c/" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), 1, false); // returns after PUBACK
    }
    pub.publish("state/door", "open".getBytes(StandardCharsets.UTF_8), 1, true);
    pub.disconnectForcibly(0, 1000);

    Process first = children.get(0);
    first.destroyForcibly(); // SIGKILL
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

    int newPort = startBroker();
    MqttClient resumed =
        new MqttClient("tcp://127.0.0.1:" + newPort, "durable", new MemoryPersistence());
    clients.add(resumed);
    resumed.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {}

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            got.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8));
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(false);
    resumed.connect(o);
    await().atMost(WAIT).until(() -> got.size() == 20);
    assertThat(got)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 20).mapToObj(i -> "c/" + i + "=m" + i).toList());

    List<String> retained = new CopyOnWriteArrayList<>();
    client(newPort, "late", true, retained).subscribe("state/#", 1);
    await().atMost(WAIT).until(() -> retained.size() == 1);
    assertThat(retained).containsExactly("state/door=open");
  }
}
