package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken tenant functions in the packaged daemon, run with the shipped JVM options ({@code
 * /etc/default/outpost}): for each, while the function is being stopped a device's publish still
 * reaches a local subscriber and a cloud-routed message is still spooled, the hit is counted under
 * the function's name, the function ends ERRORED, BROKEN or restarted, and after {@code functions
 * remove} none of its processes remains. One daemon serves every scenario, as a site's would.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FunctionSandboxIT {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path WASM =
      Path.of("../local-functions/function-runtime/src/test/resources/wasm");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private static LaunchedDaemon daemon;
  private static AdminHttp admin;
  private static MqttClient device;
  private static final List<String> received = new CopyOnWriteArrayList<>();
  private static int lifeline;

  @BeforeAll
  static void startDaemon() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
            broker: {listeners: [{host: 127.0.0.1, port: 0}]}
            storage: {dir: ./data}
            admin: {listen: "127.0.0.1:0"}
            routes:
              - {from: local, filter: "devices/+/telemetry", to: cloud}
            """);
    List<String> options = new ArrayList<>(shippedJvmOptions());
    options.add("-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")));
    daemon = LaunchedDaemon.jar(dir, options, "run", "--config", config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(90);
    admin = new AdminHttp(endpoints.adminPort(), dir.resolve("data"));
    device =
        new MqttClient(
            "tcp://127.0.0.1:" + endpoints.mqttPort(), "sensor-1", new MemoryPersistence());
    MqttConnectionOptions connect = new MqttConnectionOptions();
    connect.setAutomaticReconnect(false);
    device.connect(connect);
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("devices/#", 1)},
        new IMqttMessageListener[] {
          (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8))
        });
  }

  @AfterAll
  static void stopDaemon() throws Exception {
    try {
      if (device != null) {
        if (device.isConnected()) {
          device.disconnect();
        }
        device.close();
      }
    } finally {
      if (daemon != null) {
        daemon.close();
      }
    }
  }

  /** JAVA_OPTS of the shipped {@code /etc/default/outpost}. */
  static List<String> shippedJvmOptions() throws IOException {
    for (String line : Files.readAllLines(Path.of("src/deb/files/etc/default/outpost"))) {
      if (line.startsWith("JAVA_OPTS=")) {
        String value = line.substring("JAVA_OPTS=".length()).replace("\"", "").trim();
        return Arrays.asList(value.split("\\s+"));
      }
    }
    throw new AssertionError("no JAVA_OPTS in the shipped /etc/default/outpost");
  }

  @Test
  void pythonAllocatingWithoutBound() throws Exception {
    scenario(
        "py-hog",
        zip(
            Map.of(
                "hog.py",
                """
                import sys
                kept = []
                for line in sys.stdin:
                    while True:
                        kept.append(bytearray(1 << 20))
                """
                    .getBytes(StandardCharsets.UTF_8)),
            descriptor("py-hog", "runtime: process\ncommand: [python3, hog.py]")
                + "lifecycle: pinned\ntimeoutMillis: 20000\nlimits: {memoryMiB: 64}\n"),
        "application/zip",
        "memory");
  }

  @Test
  void javaRetainingMemoryBeyondItsLimit() throws Exception {
    scenario(
        "java-hog",
        jar(
            descriptor("java-hog", "runtime: java\nhandler: " + HoardingFunction.class.getName())
                + "isolation: process\ntimeoutMillis: 30000\nlimits: {memoryMiB: 96}\n",
            HoardingFunction.class),
        "application/java-archive",
        "memory");
  }

  @Test
  void javaSpinningAndIgnoringInterrupts() throws Exception {
    scenario(
        "java-spin",
        jar(
            descriptor("java-spin", "runtime: java\nhandler: " + SpinningFunction.class.getName())
                + "isolation: process\ntimeoutMillis: 500\n",
            SpinningFunction.class),
        "application/java-archive",
        "timeout");
  }

  @Test
  void processForkingChildren() throws Exception {
    String mode = JSON.readTree(admin.get("api/status")).path("functionSandbox").asText();
    scenario(
        "forker",
        zip(
            Map.of(
                "forker.py",
                """
                import json, subprocess, sys
                children = []
                for line in sys.stdin:
                    req = json.loads(line)
                    try:
                        while len(children) < 200:
                            children.append(subprocess.Popen(["sleep", "300"]))
                    except OSError as e:
                        pass
                    print(json.dumps({"id": req["id"], "error": "forked %d" % len(children)}),
                          flush=True)
                """
                    .getBytes(StandardCharsets.UTF_8)),
            descriptor("forker", "runtime: process\ncommand: [python3, forker.py]")
                + "lifecycle: pinned\ntimeoutMillis: 20000\nlimits: {maxProcesses: 16}\n"),
        "application/zip",
        mode.startsWith("rlimit") ? null : "processes");
  }

  @Test
  void wasmInfiniteLoop() throws Exception {
    scenario(
        "wasm-spin",
        zip(
            Map.of("spin.wasm", Files.readAllBytes(WASM.resolve("spin.wasm"))),
            descriptor("wasm-spin", "runtime: wasm\nhandler: spin.wasm")
                + "inputEncoding: binary\ntimeoutMillis: 500\n"),
        "application/zip",
        "timeout");
  }

  @Test
  void wasmGrowingItsMemory() throws Exception {
    scenario(
        "wasm-hog",
        zip(
            Map.of("hog.wasm", Files.readAllBytes(WASM.resolve("hog.wasm"))),
            descriptor("wasm-hog", "runtime: wasm\nhandler: hog.wasm")
                + "inputEncoding: binary\nmaxMemoryPages: 64\n"),
        "application/zip",
        "memory");
  }

  /**
   * Deploys {@code pkg}, triggers it, checks the lifeline while it misbehaves and after, waits for
   * the {@code limit} hit (null: none is counted in this sandbox mode) and its state, removes it.
   */
  private static void scenario(String name, byte[] pkg, String contentType, String limit)
      throws Exception {
    assertThat(admin.post("api/functions", pkg, contentType)).contains(name);

    device.publish("bad/" + name, "{}".getBytes(StandardCharsets.UTF_8), 1, false);
    lifelineHolds();

    if (limit != null) {
      await().atMost(WAIT).until(() -> hits(name, limit) >= 1);
    }
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(state(name))
                    .as(name + "'s state")
                    .isIn("ERRORED", "BROKEN", "RUNNING", "IDLE"));
    assertThat(ProcessHandle.of(daemon.pid()).map(ProcessHandle::isAlive)).contains(true);
    lifelineHolds();

    admin.delete("api/functions/" + name, WAIT);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        ProcessHandle.of(daemon.pid())
                            .orElseThrow()
                            .descendants()
                            .filter(ProcessHandle::isAlive))
                    .as("processes left after removing " + name)
                    .isEmpty());
    lifelineHolds();
  }

  /** The site's lifeline: a device's publish reaches a local subscriber and is spooled. */
  private static void lifelineHolds() throws Exception {
    double spooled = MetricsScrape.parse(admin.get("metrics")).value("outpost_spool_depth");
    String payload = "{\"reading\":" + (++lifeline) + "}";
    device.publish("devices/pump-7/telemetry", payload.getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(WAIT).until(() -> received.contains(payload));
    await()
        .atMost(WAIT)
        .until(
            () ->
                MetricsScrape.parse(admin.get("metrics")).value("outpost_spool_depth")
                    >= spooled + 1);
  }

  private static double hits(String function, String limit) throws Exception {
    return MetricsScrape.parse(admin.get("metrics"))
        .samples("outpost_function_limit_hits_total")
        .stream()
        .filter(s -> function.equals(s.labels().get("function")))
        .filter(s -> limit.equals(s.labels().get("limit")))
        .mapToDouble(MetricsScrape.Sample::value)
        .sum();
  }

  private static String state(String function) throws Exception {
    for (JsonNode f : JSON.readTree(admin.get("api/functions")).path("functions")) {
      if (function.equals(f.path("name").asText())) {
        return f.path("state").asText().toUpperCase(java.util.Locale.ROOT);
      }
    }
    return "MISSING";
  }

  private static String descriptor(String name, String runtime) {
    return "name: " + name + "\nversion: 1\n" + runtime + "\ntriggers: [\"bad/" + name + "\"]\n";
  }

  private static byte[] jar(String descriptor, Class<?> handler) throws IOException {
    String cls = handler.getName().replace('.', '/') + ".class";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes)) {
      out.putNextEntry(new JarEntry("outpost-function.yaml"));
      out.write(descriptor.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry(cls));
      try (var in = handler.getClassLoader().getResourceAsStream(cls)) {
        out.write(in.readAllBytes());
      }
      out.closeEntry();
    }
    return bytes.toByteArray();
  }

  private static byte[] zip(Map<String, byte[]> files, String descriptor) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.putNextEntry(new ZipEntry("outpost-function.yaml"));
      out.write(descriptor.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        out.putNextEntry(new ZipEntry(f.getKey()));
        out.write(f.getValue());
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
