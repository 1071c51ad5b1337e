package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interoperability with Mosquitto's command-line clients ({@code mosquitto-clients}); skipped when
 * they are not installed.
 */
class MosquittoClientsIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  BrokerFixture fixture;
  final List<Process> processes = new ArrayList<>();

  @BeforeEach
  void start() {
    Assumptions.assumeTrue(
        onPath("mosquitto_pub") && onPath("mosquitto_sub"),
        "mosquitto_pub/mosquitto_sub not installed");
    fixture = BrokerFixture.start(dir);
  }

  @AfterEach
  void stop() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String d : path.split(File.pathSeparator)) {
      if (new File(d, binary).canExecute()) {
        return true;
      }
    }
    return false;
  }

  private Process run(String... command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(p);
    return p;
  }

  private String output(Process p) throws Exception {
    assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("process finished").isTrue();
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  private String port() {
    return Integer.toString(fixture.port());
  }

  private void awaitSubscribed(String clientId) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                fixture.broker.clients().stream()
                    .anyMatch(c -> c.clientId().equals(clientId) && c.subscriptions() == 1));
  }

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void publishAndSubscribeAtEveryQos(String version) throws Exception {
    Process sub =
        run(
            "mosquitto_sub",
            "-h",
            "127.0.0.1",
            "-p",
            port(),
            "-V",
            version,
            "-i",
            "msub",
            "-t",
            "m/#",
            "-q",
            "2",
            "-v",
            "-C",
            "3");
    awaitSubscribed("msub");
    for (int qos = 0; qos <= 2; qos++) {
      Process pub =
          run(
              "mosquitto_pub",
              "-h",
              "127.0.0.1",
              "-p",
              port(),
              "-V",
              version,
              "-t",
              "m/" + qos,
              "-m",
              "q" + qos,
              "-q",
              Integer.toString(qos));
      assertThat(pub.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      assertThat(pub.exitValue()).isZero();
    }
    // three connections: the order they reach the subscriber in is not given (mosquitto_pub may
    // exit before the broker has routed its QoS 0 message)
    assertThat(output(sub).lines()).containsExactlyInAnyOrder("m/0 q0", "m/1 q1", "m/2 q2");
    assertThat(sub.exitValue()).isZero();
  }

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void retainedMessageReachesALaterSubscriber(String version) throws Exception {
    Process pub =
        run(
            "mosquitto_pub",
            "-h",
            "127.0.0.1",
            "-p",
            port(),
            "-V",
            version,
            "-t",
            "ret/a",
            "-m",
            "kept",
            "-q",
            "1",
            "-r");
    assertThat(output(pub)).isEmpty();
    Process sub =
        run(
            "mosquitto_sub",
            "-h",
            "127.0.0.1",
            "-p",
            port(),
            "-V",
            version,
            "-t",
            "ret/#",
            "-q",
            "1",
            "-v",
            "-C",
            "1");
    assertThat(output(sub).lines()).containsExactly("ret/a kept");
  }

  @ParameterizedTest(name = "MQTT {0}")
  @ValueSource(strings = {"mqttv311", "mqttv5"})
  void qos2FromPahoToMosquittoSub(String version) throws Exception {
    Process sub =
        run(
            "mosquitto_sub",
            "-h",
            "127.0.0.1",
            "-p",
            port(),
            "-V",
            version,
            "-i",
            "msub2",
            "-t",
            "x/#",
            "-q",
            "2",
            "-C",
            "5");
    awaitSubscribed("msub2");
    try (V5Client pub = new V5Client(fixture.url(), "paho")) {
      pub.connect();
      for (int i = 0; i < 5; i++) {
        pub.publish("x/" + i, "p" + i, 2, false);
      }
    }
    assertThat(output(sub).lines()).containsExactly("p0", "p1", "p2", "p3", "p4");
  }
}
