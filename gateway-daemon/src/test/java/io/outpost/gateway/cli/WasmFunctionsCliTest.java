package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wasm runtime through the daemon: the shipped AssemblyScript example transforms a device's
 * publish for a local subscriber, scales to zero when idle and wakes for the next message; a module
 * stuck in a loop is stopped at its deadline while the daemon keeps serving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WasmFunctionsCliTest {

  private static final Path EXAMPLE = Path.of("..", "examples", "wasm-scale");
  private static final Path SPIN =
      Path.of(
          "..",
          "local-functions",
          "function-runtime",
          "src",
          "test",
          "resources",
          "wasm",
          "spin.wasm");

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private LocalDaemon daemon;
  private MqttClient device;

  @BeforeEach
  void startDaemon() throws Exception {
    daemon = LocalDaemon.start(dir);
  }

  @AfterEach
  void stopDaemon() throws Exception {
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private CliRun cli(String... args) {
    return daemon.cli(args);
  }

  /**
   * The example's descriptor and module (not its build tree), with a short idle time and a generous
   * timeout.
   */
  private Path examplePackage() throws IOException {
    Path pkg = Files.createDirectories(dir.resolve("adc-scale"));
    Files.copy(EXAMPLE.resolve("scale.wasm"), pkg.resolve("scale.wasm"));
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        Files.readString(EXAMPLE.resolve("outpost-function.yaml"))
            .replace("idleTimeoutMillis: 60000", "idleTimeoutMillis: 300")
            .replace(
                "timeoutMillis: 3000",
                "timeoutMillis: 30000")); // a cold interpreter on a loaded machine
    return pkg;
  }

  private Path spinPackage() throws IOException {
    Path pkg = Files.createDirectories(dir.resolve("spin"));
    Files.copy(SPIN, pkg.resolve("spin.wasm"));
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        """
        name: spin
        version: 1.0.0
        runtime: wasm
        handler: spin.wasm
        triggers: ["spin/#"]
        timeoutMillis: 300
        inputEncoding: binary
        """);
    return pkg;
  }

  private String stateOf(String function) throws IOException {
    for (JsonNode f : JSON.readTree(cli("functions", "list", "--json").out()).path("functions")) {
      if (f.path("name").asText().equals(function)) {
        return f.path("state").asText();
      }
    }
    return "absent";
  }

  @Test
  void exampleTransformsDevicePublishesScalesToZeroAndASpinningModuleIsStopped() throws Exception {
    CliRun deployed = cli("functions", "deploy", examplePackage().toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();
    assertThat(deployed.out()).contains("deployed adc-scale 1.0.0");
    assertThat(cli("functions", "deploy", spinPackage().toString()).exit()).isZero();

    device = new MqttClient(daemon.mqttUrl(), "adc-7", new MemoryPersistence());
    device.connect();
    BlockingQueue<String> scaled = new LinkedBlockingQueue<>();
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("devices/+/scaled", 1)},
        new IMqttMessageListener[] {
          (t, m) -> scaled.add(t + " " + new String(m.getPayload(), StandardCharsets.UTF_8))
        });
    device.publish("devices/d7/adc", "{\"raw\": 512}".getBytes(StandardCharsets.UTF_8), 1, false);

    assertThat(scaled.poll(30, TimeUnit.SECONDS)).isEqualTo("devices/d7/scaled {\"value\":257.0}");

    await().atMost(Duration.ofSeconds(30)).until(() -> stateOf("adc-scale").equals("idle"));
    device.publish("spin/1", "x".getBytes(StandardCharsets.UTF_8), 1, false);
    device.publish("devices/d8/adc", "{\"raw\": 2}".getBytes(StandardCharsets.UTF_8), 1, false);

    assertThat(scaled.poll(30, TimeUnit.SECONDS))
        .as("the first message after idling is served")
        .isEqualTo("devices/d8/scaled {\"value\":2.0}");
    await().atMost(Duration.ofSeconds(30)).until(() -> stateOf("spin").equals("errored"));
    device.publish("devices/d9/adc", "{\"raw\": 4}".getBytes(StandardCharsets.UTF_8), 1, false);
    assertThat(scaled.poll(30, TimeUnit.SECONDS))
        .as("the daemon keeps serving after the deadline hit")
        .isEqualTo("devices/d9/scaled {\"value\":3.0}");
    CliRun list = cli("functions", "list", "--json");
    assertThat(list.out()).contains("timed out after 300 ms");
  }
}
