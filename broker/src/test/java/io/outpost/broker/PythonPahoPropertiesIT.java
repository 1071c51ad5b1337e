package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MQTT 5 properties between two Python {@code paho-mqtt} clients (Debian's {@code
 * python3-paho-mqtt}) through the broker, live at QoS 0, 1 and 2 with empty and non-empty payloads,
 * and retained; skipped when it is not installed.
 */
class PythonPahoPropertiesIT {

  private static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  BrokerFixture fixture;
  Process process;

  @AfterEach
  void stop() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @ParameterizedTest(name = "retained {0}")
  @ValueSource(booleans = {false, true})
  void everyPropertyReachesThePythonSubscriber(boolean retained) throws Exception {
    Assumptions.assumeTrue(
        new File(PYTHON).canExecute() && pahoInstalled(), "python3-paho-mqtt not installed");
    fixture = BrokerFixture.start(dir);
    Path script = dir.resolve("v5_properties.py");
    try (var in = getClass().getResourceAsStream("/python/v5_properties.py")) {
      Files.copy(in, script);
    }
    process =
        new ProcessBuilder(
                PYTHON, script.toString(), Integer.toString(fixture.port()), retained ? "1" : "0")
            .redirectErrorStream(true)
            .start();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("python client finished").isTrue();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(out).isZero();

    List<JsonNode> got = new ArrayList<>();
    for (String line : out.lines().toList()) {
      got.add(JSON.readTree(line));
    }
    assertThat(got).as(out).hasSize(retained ? 3 : 6);
    for (JsonNode m : got) {
      assertThat(m.get("user").toString())
          .as(m.toString())
          .isEqualTo("[[\"k\",\"v1\"],[\"k\",\"v2\"]]");
      assertThat(m.get("contentType").asText()).isEqualTo("text/plain");
      assertThat(m.get("responseTopic").asText()).isEqualTo("reply/py");
      assertThat(m.get("correlation").asText()).isEqualTo("0102ff");
      assertThat(m.get("payloadFormat").asInt()).isEqualTo(1);
      assertThat(m.get("expiry").asLong()).isBetween(3500L, 3600L);
    }
    assertThat(got)
        .extracting(m -> m.get("qos").asInt())
        .containsExactlyElementsOf(retained ? List.of(0, 1, 2) : List.of(0, 0, 1, 1, 2, 2));
    if (!retained) {
      assertThat(got)
          .extracting(m -> m.get("payload").asText())
          .containsExactly("", "x", "", "x", "", "x");
    }
  }

  private static boolean pahoInstalled() throws Exception {
    Process p =
        new ProcessBuilder(PYTHON, "-c", "import paho.mqtt.client")
            .redirectErrorStream(true)
            .start();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
