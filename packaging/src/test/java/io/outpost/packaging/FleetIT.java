package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import io.outpost.gateway.fleet.JobsService;
import io.outpost.gateway.fleet.JobsService.Execution;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
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
 * Fleet deployments through the shipped jar: packaged daemons as child processes, Mosquitto as the
 * cloud, artifacts from a local HTTP server, {@code outpost fleet deploy} (or the same jobs side
 * in-process) playing AWS IoT Jobs.
 */
@Timeout(600)
class FleetIT {

  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: ./data}
      cloud: {url: "%s", clientId: %s, mqttVersion: "3.1.1", backoff: {initialMillis: 100, maxMillis: 1000}}
      admin: {listen: "127.0.0.1:0"}
      fleet: {healthWindowSeconds: 3, reportIntervalSeconds: 1, retainReports: true}
      # the health gate is under test: the deploy's own start watch would refuse the crash first
      functions: {deployProbeMillis: 0}
      """;

  @TempDir Path dir;
  private Mosquitto cloud;
  private HttpServer artifacts;
  private ExecutorService artifactThreads;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private volatile long artifactDelayMillis;
  private final List<LaunchedDaemon> daemons = new ArrayList<>();
  private MqttClient device;

  @BeforeEach
  void start() throws Exception {
    cloud = Mosquitto.start(dir);
    artifactThreads =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "fleet-it-artifacts");
              t.setDaemon(true);
              return t;
            });
    artifacts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    artifacts.setExecutor(artifactThreads);
    artifacts.createContext(
        "/",
        exchange -> {
          try (exchange) {
            byte[] body = files.get(exchange.getRequestURI().getPath().substring(1));
            if (artifactDelayMillis > 0) {
              Thread.sleep(artifactDelayMillis);
            }
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
              exchange.getResponseBody().write(body);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    artifacts.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    for (LaunchedDaemon d : daemons) {
      d.close();
    }
    artifacts.stop(0);
    artifactThreads.shutdownNow();
    cloud.close();
  }

  @Test
  void threeGatewaysTwoSucceedAndTheThirdRollsBackAFunctionFailingItsHealthGate() throws Exception {
    LaunchedDaemon.Endpoints a = gateway("edge-a", Map.of());
    gateway("edge-b", Map.of());
    LaunchedDaemon.Endpoints c = gateway("edge-c", Map.of("OUTPOST_SITE_FAULT", "1"));
    Path v1 = deployment("v1", function("echo", "1.0.0", echoJar("echo", "1.0.0", "fleet/in/#")));
    // version 2 is a process that stays up, except where the site fault is set: there it exits at
    // once
    Path v2 =
        deployment(
            "v2",
            function(
                "echo",
                "2.0.0",
                processJar(
                    "echo", "2.0.0", "[ -z \\\"$OUTPOST_SITE_FAULT\\\" ] || exit 3; exec cat")));

    Tool.Result first = deploy("job-v1", v1);
    Tool.Result second = deploy("job-v2", v2);

    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("3 of 3 succeeded");
    assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
    assertThat(second.output())
        .containsPattern("edge-a\\s+SUCCEEDED")
        .containsPattern("edge-b\\s+SUCCEEDED")
        .containsPattern("edge-c\\s+FAILED\\s+health\\s+echo 2.0.0 is ")
        .contains("2 of 3 succeeded");
    assertThat(versions(a.adminPort(), "edge-a")).containsEntry("echo", "2.0.0");
    assertThat(versions(c.adminPort(), "edge-c")).containsEntry("echo", "1.0.0");
    assertEchoServes(c.mqttPort());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Tool.Result status =
                  Tool.run(
                      dir,
                      Map.of(),
                      Duration.ofSeconds(60),
                      java(),
                      "-jar",
                      Artifacts.JAR.toString(),
                      "fleet",
                      "status",
                      "--broker",
                      cloud.url(),
                      "--thing",
                      "edge-a",
                      "--thing",
                      "edge-b",
                      "--thing",
                      "edge-c");
              assertThat(status.exitCode()).as(status.output()).isZero();
              assertThat(status.output())
                  .containsPattern("edge-c .*echo@1.0.0 RUNNING.*job-v2 FAILED \\(health: ")
                  .containsPattern("edge-a .*echo@2.0.0 RUNNING.*job-v2 SUCCEEDED");
            });
  }

  @Test
  void aSigkillAtAnyApplyStepNeverLeavesAHalfAppliedSet() throws Exception {
    LaunchedDaemon.Endpoints endpoints = gateway("edge-k", Map.of());
    artifactDelayMillis = 1500; // the download step lasts long enough to be caught
    List<String> steps = List.of("download", "stage", "switch", "health");
    Map<String, String> running = new LinkedHashMap<>();
    try (JobsService jobs = new JobsService(cloud.url(), "fleet-it-jobs", e -> {})) {
      jobs.connect();
      for (int round = 0; round < steps.size(); round++) {
        String version = (round + 1) + ".0.0";
        String jobId = "kill-" + steps.get(round);
        jobs.queue(
            jobId,
            List.of("edge-k"),
            JsonMapper.builder()
                .build()
                .readTree(
                    Files.readString(
                        deployment(
                            jobId,
                            function("one", version, echoJar("one", version, "fleet/in/#")),
                            function("two", version, echoJar("two", version, "fleet/two/#"))))));
        String step = steps.get(round);
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(10))
            .until(
                () -> {
                  Execution e = jobs.executions(jobId).get("edge-k");
                  return e.terminal() || step.equals(e.statusDetails().get("step"));
                });
        LaunchedDaemon killed = daemons.remove(daemons.size() - 1);
        assertThat(killed.kill(30)).isEqualTo(LaunchedDaemon.KILLED);
        endpoints = gateway("edge-k", Map.of());
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> jobs.executions(jobId).get("edge-k").terminal());

        Execution result = jobs.executions(jobId).get("edge-k");
        Map<String, String> now = versions(endpoints.adminPort(), "edge-k");
        if (result.status().equals("SUCCEEDED")) {
          assertThat(now)
              .as("round %s", step)
              .containsEntry("one", version)
              .containsEntry("two", version);
          running = now;
        } else {
          assertThat(result.status())
              .as("round %s: %s", step, result.statusDetails())
              .isEqualTo("FAILED");
          assertThat(now).as("round %s", step).isEqualTo(running);
        }
      }
    }
  }

  private LaunchedDaemon.Endpoints gateway(String thing, Map<String, String> env) throws Exception {
    Path home = Files.createDirectories(dir.resolve(thing));
    Path config =
        Files.writeString(home.resolve("outpost.yaml"), CONFIG.formatted(cloud.url(), thing));
    LaunchedDaemon daemon =
        LaunchedDaemon.jar(home, List.of(), env, "run", "--config", config.toString());
    daemons.add(daemon);
    return daemon.awaitReady(90);
  }

  private Tool.Result deploy(String jobId, Path deployment) throws Exception {
    return Tool.run(
        dir,
        Map.of(),
        Duration.ofSeconds(240),
        java(),
        "-jar",
        Artifacts.JAR.toString(),
        "fleet",
        "deploy",
        "--broker",
        cloud.url(),
        "--thing",
        "edge-a",
        "--thing",
        "edge-b",
        "--thing",
        "edge-c",
        "--job-id",
        jobId,
        "--timeout",
        "180",
        deployment.toString());
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private Map<String, String> versions(int adminPort, String thing) throws Exception {
    JsonNode list =
        JsonMapper.builder()
            .build()
            .readTree(
                new AdminHttp(adminPort, dir.resolve(thing).resolve("data")).get("api/functions"));
    Map<String, String> versions = new LinkedHashMap<>();
    list.path("functions")
        .forEach(f -> versions.put(f.path("name").asText(), f.path("version").asText()));
    return versions;
  }

  private void assertEchoServes(int mqttPort) throws Exception {
    List<String> arrived = new CopyOnWriteArrayList<>();
    device = new MqttClient("tcp://127.0.0.1:" + mqttPort, "pump-c", new MemoryPersistence());
    device.connect();
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("fleet/out/#", 1)},
        new IMqttMessageListener[] {(topic, message) -> arrived.add(topic)});
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              device.publish("fleet/in/pump-c", "1".getBytes(StandardCharsets.UTF_8), 1, false);
              assertThat(arrived).contains("fleet/out/pump-c");
            });
  }

  private Path deployment(String name, String... functions) throws IOException {
    return Files.writeString(
        dir.resolve(name + ".json"),
        "{\"schemaVersion\": 1, \"name\": \""
            + name
            + "\", \"functions\": ["
            + String.join(",", functions)
            + "]}");
  }

  private String function(String name, String version, byte[] jar) throws Exception {
    String path = name + "-" + version + "-" + files.size() + ".jar";
    files.put(path, jar);
    return """
        {"name": "%s", "version": "%s", "artifact": {"url": "http://127.0.0.1:%d/%s", "sha256": "%s"}}
        """
        .formatted(
            name,
            version,
            artifacts.getAddress().getPort(),
            path,
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar)));
  }

  private static byte[] echoJar(String name, String version, String trigger) throws IOException {
    String cls = FleetEchoFunction.class.getName().replace('.', '/') + ".class";
    return jar(
        """
        name: %s
        version: %s
        runtime: java
        handler: %s
        triggers: ["%s"]
        """
            .formatted(name, version, FleetEchoFunction.class.getName(), trigger),
        cls,
        FleetEchoFunction.class.getClassLoader().getResourceAsStream(cls).readAllBytes());
  }

  private static byte[] processJar(String name, String version, String script) throws IOException {
    return jar(
        """
        name: %s
        version: %s
        runtime: process
        lifecycle: pinned
        command: [sh, -c, "%s"]
        triggers: ["fleet/in/#"]
        """
            .formatted(name, version, script),
        null,
        null);
  }

  private static byte[] jar(String descriptor, String entry, byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream out = new JarOutputStream(bytes)) {
      out.putNextEntry(new JarEntry("outpost-function.yaml"));
      out.write(descriptor.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      if (entry != null) {
        out.putNextEntry(new JarEntry(entry));
        out.write(content);
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }
}
