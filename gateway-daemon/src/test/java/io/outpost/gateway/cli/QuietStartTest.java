package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.gateway.Gateway;
import io.outpost.gateway.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A normal start (devices connecting, an operator using the CLI) and a routine reload log nothing
 * at WARN or above.
 */
@Timeout(60)
class QuietStartTest {

  @TempDir Path dir;

  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final List<MqttClient> devices = new ArrayList<>();
  private Logger root;
  private Logger meterRegistry;
  private Level meterRegistryLevel;
  private Gateway gateway;

  @BeforeEach
  void captureLogs() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    // Micrometer reports a repeated gauge registration at WARN once per JVM and at DEBUG after
    // that: watch DEBUG
    // so this test sees it even when another test class in the same JVM triggered the first one.
    meterRegistry = (Logger) LoggerFactory.getLogger(MeterRegistry.class);
    meterRegistryLevel = meterRegistry.getLevel();
    meterRegistry.setLevel(Level.DEBUG);
    events.start();
    root.addAppender(events);
  }

  @AfterEach
  void stop() throws Exception {
    for (MqttClient d : devices) {
      if (d.isConnected()) {
        d.disconnect();
      }
      d.close();
    }
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(10));
    }
    root.detachAppender(events);
    events.stop();
    meterRegistry.setLevel(meterRegistryLevel);
  }

  @Test
  void normalStartWithDevicesAndCliLogsNoWarning() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}, {host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        routes: [{from: local, filter: "devices/+/telemetry", to: cloud}]
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(dir.resolve("data")));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    for (int i = 0; i < 4; i++) {
      int port = gateway.brokerPorts().get(i % 2);
      MqttClient d =
          new MqttClient("tcp://127.0.0.1:" + port, "device-" + i, new MemoryPersistence());
      devices.add(d);
      d.connect();
      d.publish("devices/device-" + i + "/telemetry", new byte[] {1}, 1, false);
    }
    for (int i = 0; i < 3; i++) {
      CliRun status = CliRun.against(config, "http://127.0.0.1:" + gateway.adminPort(), "status");
      assertThat(status.exit()).as(status.err()).isZero();
    }

    assertNothingWorrying();
  }

  @Test
  void reloadOfRoutesLogsNoWarning() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        routes: [{name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud}]
        admin: {enabled: false}
        """
                .formatted(dir.resolve("data")));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    Files.writeString(config, Files.readString(config).replace("devices/+/telemetry", "sensors/#"));

    assertThat(gateway.reload().applied()).containsExactly("routes");
    assertNothingWorrying();
  }

  private void assertNothingWorrying() {
    assertThat(events.list)
        .as("log events at WARN or above")
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
    assertThat(events.list)
        .as("repeated meter registrations, at any level")
        .extracting(ILoggingEvent::getFormattedMessage)
        .noneMatch(m -> m.contains("already registered"));
  }
}
