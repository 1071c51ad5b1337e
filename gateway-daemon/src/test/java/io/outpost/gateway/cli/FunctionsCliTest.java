package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.gateway.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A developer's workflow against a running daemon: deploy the shipped Python example with {@code
 * outpost functions}, see it react to a device's publish, invoke it by hand, redeploy, roll back
 * and remove it.
 */
class FunctionsCliTest {

  /**
   * The example package shipped in {@code examples/}, deployed as-is apart from a generous
   * first-start timeout.
   */
  private static final Path EXAMPLE = Path.of("..", "examples", "python-celsius");

  @TempDir Path dir;

  private LocalDaemon daemon;
  private MqttClient device;

  @BeforeEach
  void startDaemon() throws Exception {
    assumeTrue(PythonUnittest.available(), "python3 is needed for the process-runtime example");
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
   * Copies the example into the temp dir with the given version and a first-start-friendly timeout.
   */
  private Path examplePackage(String version) throws IOException {
    Path pkg = Files.createDirectories(dir.resolve("celsius-" + version));
    Files.copy(EXAMPLE.resolve("handler.py"), pkg.resolve("handler.py"));
    String descriptor =
        Files.readString(EXAMPLE.resolve("outpost-function.yaml"))
            .replace("version: 1.0.0", "version: " + version)
            .replace("timeoutMillis: 2000", "timeoutMillis: 30000");
    Files.writeString(pkg.resolve("outpost-function.yaml"), descriptor);
    return pkg;
  }

  @Test
  void deployedFunctionReactsToDevicesAndCanBeInvokedRolledBackAndRemoved() throws Exception {
    CliRun deployed = cli("functions", "deploy", examplePackage("1.0.0").toString());
    assertThat(deployed.exit()).as(deployed.err()).isZero();
    assertThat(deployed.out()).contains("deployed fahrenheit-to-celsius 1.0.0");

    device = new MqttClient(daemon.mqttUrl(), "sensor-7", new MemoryPersistence());
    device.connect();
    BlockingQueue<MqttMessage> celsius = new LinkedBlockingQueue<>();
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("sensors/+/temperature", 1)},
        new IMqttMessageListener[] {(t, m) -> celsius.add(m)});
    device.publish(
        "sensors/s7/fahrenheit",
        "{\"fahrenheit\": 212}".getBytes(StandardCharsets.UTF_8),
        1,
        false);

    MqttMessage output = celsius.poll(60, TimeUnit.SECONDS);
    assertThat(output).as("the function's output reaches local subscribers").isNotNull();
    assertThat(new String(output.getPayload(), StandardCharsets.UTF_8))
        .contains("\"celsius\"")
        .contains("100");

    CliRun invoked =
        cli(
            "functions",
            "invoke",
            "fahrenheit-to-celsius",
            "--topic",
            "sensors/s1/fahrenheit",
            "--payload",
            "{\"fahrenheit\": 32}");
    assertThat(invoked.exit()).as(invoked.out() + invoked.err()).isZero();
    assertThat(invoked.out()).startsWith("ok").contains("sensors/s1/temperature").contains("0.0");

    assertThat(cli("functions", "deploy", examplePackage("1.1.0").toString()).exit()).isZero();
    assertThat(cli("functions", "list").out()).contains("fahrenheit-to-celsius").contains("1.1.0");
    CliRun rolledBack = cli("functions", "rollback", "fahrenheit-to-celsius");
    assertThat(rolledBack.exit()).as(rolledBack.err()).isZero();
    assertThat(rolledBack.out()).contains("rolled back fahrenheit-to-celsius to 1.0.0");

    assertThat(cli("functions", "remove", "fahrenheit-to-celsius").exit()).isZero();
    assertThat(cli("functions", "list", "--json").out()).doesNotContain("fahrenheit-to-celsius");
    CliRun again = cli("functions", "remove", "fahrenheit-to-celsius");
    assertThat(again.exit()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void invalidPackageIsRefusedWithTheReason() throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("outpost-function.yaml"), "name: broken\nruntime: cobol\n");

    CliRun r = cli("functions", "deploy", broken.toString());

    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("invalid-function");
  }
}
