package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.outpost.cloud.CloudLinkState;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionState;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.fleet.ArtifactServer;
import io.outpost.gateway.fleet.JobsService;
import io.outpost.gateway.fleet.JobsService.Execution;
import io.outpost.testkit.StandInCloud;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway taking deployments from the jobs side ({@link JobsService}, as {@code outpost fleet
 * deploy} runs it) over Moquette as the cloud, artifacts from a local HTTP server.
 */
@Timeout(180)
class FleetDeploymentTest {

  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {enabled: false}
      cloud: {url: "%s", clientId: edge-1, mqttVersion: "3.1.1", backoff: {initialMillis: 50, maxMillis: 500}}
      fleet: {healthWindowSeconds: %d, reportIntervalSeconds: 1, retainReports: true}
      # the health gate is under test: the deploy's own start watch would refuse the crash first
      functions: {deployProbeMillis: 0}
      """;

  @TempDir Path dir;
  private final StandInCloud cloud = StandInCloud.start();
  private ArtifactServer artifacts;
  private JobsService jobs;
  private Gateway gateway;
  private MqttClient device;

  @BeforeEach
  void startJobs() throws Exception {
    artifacts = new ArtifactServer();
    jobs = new JobsService(cloud.url(), "jobs-service", e -> {});
    jobs.connect();
  }

  @AfterEach
  void stop() throws Exception {
    if (device != null) {
      if (device.isConnected()) {
        device.disconnect();
      }
      device.close();
    }
    if (gateway != null) {
      gateway.stop(Duration.ofSeconds(10));
    }
    jobs.close();
    artifacts.close();
    cloud.close();
  }

  private void startGateway(int healthWindowSeconds) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            CONFIG.formatted(dir.resolve("data"), cloud.url(), healthWindowSeconds));
    gateway = Gateway.start(new ConfigLoader().load(config), config);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> gateway.cloud().state() == CloudLinkState.ONLINE);
  }

  @Test
  void aFunctionFailingItsHealthGateIsRolledBackAndThePreviousOneKeepsServing() throws Exception {
    startGateway(2);
    Execution first = deploy("job-1", document(function("echo", "1.0.0", echoJar("1.0.0"))));
    assertThat(first.status()).isEqualTo("SUCCEEDED");
    assertThat(version("echo")).isEqualTo("1.0.0");

    Execution second =
        deploy("job-2", document(function("echo", "2.0.0", crashingJar("echo", "2.0.0"))));

    assertThat(second.status()).isEqualTo("FAILED");
    assertThat(second.statusDetails()).containsEntry("step", "health");
    assertThat(second.statusDetails().get("reason")).contains("echo 2.0.0 is ");
    assertThat(version("echo")).isEqualTo("1.0.0");
    assertEchoServesADevice();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              JsonNode reported = lastShadow();
              assertThat(reported.at("/lastDeployment/jobId").asText()).isEqualTo("job-2");
              assertThat(reported.at("/lastDeployment/status").asText()).isEqualTo("FAILED");
              assertThat(reported.at("/functions/echo/version").asText()).isEqualTo("1.0.0");
              assertThat(reported.at("/cloudLink").asText()).isEqualTo("ONLINE");
            });
  }

  @Test
  void aZippedProcessFunctionIsUnpackedWithItsExecuteBitAndRuns() throws Exception {
    startGateway(1);
    byte[] zip =
        zip(
            """
            name: relay
            version: 1.0.0
            runtime: process
            lifecycle: pinned
            command: [./run.sh]
            triggers: ["relay/in/#"]
            """,
            "run.sh",
            "#!/bin/sh\nexec cat\n");
    String path = "relay-1.0.0.zip";
    artifacts.put(path, zip);
    String spec =
        """
        {"name": "relay", "version": "1.0.0", "runtime": "process",
         "artifact": {"url": "%s", "sha256": "%s", "size": %d}}
        """
            .formatted(
                artifacts.url(path),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(zip)),
                zip.length);

    Execution done = deploy("job-zip", document(spec));

    assertThat(done.status()).as(done.statusDetails().toString()).isEqualTo("SUCCEEDED");
    assertThat(gateway.functions().get("relay").map(FunctionInfo::state))
        .hasValue(FunctionState.RUNNING);
  }

  @Test
  void invalidDocumentsAreRejectedNamingTheFieldAndTamperedArtifactsRefused() throws Exception {
    startGateway(1);
    String valid = function("echo", "1.0.0", echoJar("1.0.0"));

    Execution unknownField =
        deploy("job-unknown", document(valid.replace("\"runtime\"", "\"colour\": 1, \"runtime\"")));
    Execution badVersion =
        deploy(
            "job-version", document(valid).replace("\"schemaVersion\": 1", "\"schemaVersion\": 9"));
    Execution tampered = deploy("job-tampered", document(withFirstDigestDigitChanged(valid)));

    assertThat(unknownField.status()).isEqualTo("REJECTED");
    assertThat(unknownField.statusDetails().get("reason"))
        .startsWith("functions[0].colour: unknown field");
    assertThat(badVersion.status()).isEqualTo("REJECTED");
    assertThat(badVersion.statusDetails().get("reason"))
        .startsWith("schemaVersion: unsupported version 9");
    assertThat(tampered.status()).isEqualTo("FAILED");
    assertThat(tampered.statusDetails()).containsEntry("step", "download");
    assertThat(tampered.statusDetails().get("reason")).contains("sha256 mismatch");
    assertThat(gateway.functions().list()).isEmpty();
  }

  @Test
  void aRedeliveredJobIsNotAppliedTwice() throws Exception {
    startGateway(1);
    String doc = document(function("echo", "1.0.0", echoJar("1.0.0")));
    assertThat(deploy("job-1", doc).status()).isEqualTo("SUCCEEDED");
    FunctionInfo before = gateway.functions().get("echo").orElseThrow();

    // the same job again, as a jobs service that lost the gateway's final update would offer it
    jobs.close();
    jobs = new JobsService(cloud.url(), "jobs-service-2", e -> {});
    jobs.connect();
    Execution again = deploy("job-1", doc);

    assertThat(again.status()).isEqualTo("SUCCEEDED");
    assertThat(again.statusDetails()).containsEntry("reason", "already applied");
    assertThat(gateway.functions().get("echo").orElseThrow().previousVersions())
        .isEqualTo(before.previousVersions());
  }

  @Test
  void aRestartDuringTheHealthGateRestoresThePreviousSetAndReportsFailed() throws Exception {
    startGateway(60);
    jobs.queue(
        "job-1", List.of("edge-1"), json(document(function("echo", "1.0.0", echoJar("1.0.0")))));
    await().atMost(Duration.ofSeconds(60)).until(() -> journal().contains("\"HEALTH\""));

    gateway.stop(Duration.ofSeconds(10));
    gateway = null;
    assertThat(journal()).contains("\"HEALTH\"");
    startGateway(1);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> jobs.executions("job-1").get("edge-1").terminal());
    Execution e = jobs.executions("job-1").get("edge-1");
    assertThat(e.status()).isEqualTo("FAILED");
    assertThat(e.statusDetails().get("reason")).contains("interrupted by a restart at step health");
    assertThat(gateway.functions().list()).isEmpty();
  }

  @Test
  void aJobCanceledBeforeTheSwitchChangesNothing() throws Exception {
    startGateway(1);
    artifacts.hold(); // the download stays under way until the job is canceled
    jobs.queue(
        "job-c", List.of("edge-1"), json(document(function("echo", "1.0.0", echoJar("1.0.0")))));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "download"
                    .equals(jobs.executions("job-c").get("edge-1").statusDetails().get("step")));
    await().atMost(Duration.ofSeconds(30)).until(() -> !artifacts.ranges.isEmpty());

    jobs.cancel("job-c"); // the cloud has it canceled from here on
    artifacts.release(); // the download completes; the gateway asks the cloud before its switch

    await().atMost(Duration.ofSeconds(30)).until(() -> journal().contains("job-c CANCELED"));
    assertThat(jobs.executions("job-c").get("edge-1").status()).isEqualTo("CANCELED");
    assertThat(gateway.functions().list()).isEmpty();
  }

  @Test
  void aNewerQueuedJobSupersedesAnOlderOneAndLocalChangesShowAsDrift() throws Exception {
    jobs.queue(
        "job-old", List.of("edge-1"), json(document(function("echo", "1.0.0", echoJar("1.0.0")))));
    jobs.queue(
        "job-new", List.of("edge-1"), json(document(function("echo", "2.0.0", echoJar("2.0.0")))));
    startGateway(1);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> jobs.executions("job-new").get("edge-1").terminal());
    Execution older = jobs.executions("job-old").get("edge-1");
    assertThat(older.status()).isEqualTo("REJECTED");
    assertThat(older.statusDetails().get("reason")).isEqualTo("superseded by job job-new");
    assertThat(jobs.executions("job-new").get("edge-1").status()).isEqualTo("SUCCEEDED");
    assertThat(version("echo")).isEqualTo("2.0.0");

    // an operator removes the function through the admin API's face: the next report names the
    // drift
    gateway.functions().remove("echo");

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(lastShadow().get("drift").toString())
                    .contains("function echo: deployed 2.0.0, now removed"));
  }

  private String journal() throws IOException {
    Path file = dir.resolve("data/fleet/journal.json");
    return Files.isRegularFile(file) ? Files.readString(file) : "";
  }

  private Execution deploy(String jobId, String document) throws Exception {
    jobs.queue(jobId, List.of("edge-1"), json(document));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> jobs.executions(jobId).get("edge-1").terminal());
    return jobs.executions(jobId).get("edge-1");
  }

  private String version(String function) {
    return gateway.functions().get(function).map(FunctionInfo::version).orElse(null);
  }

  private JsonNode lastShadow() throws IOException {
    List<StandInCloud.Received> reports =
        cloud.received("$aws/things/edge-1/shadow/name/outpost/update");
    assertThat(reports).isNotEmpty();
    return JsonMapper.builder()
        .build()
        .readTree(reports.get(reports.size() - 1).payload())
        .at("/state/reported");
  }

  private void assertEchoServesADevice() throws Exception {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                gateway.functions().get("echo").map(FunctionInfo::state).orElse(null)
                    == FunctionState.RUNNING);
    List<String> arrived = new CopyOnWriteArrayList<>();
    device =
        new MqttClient(
            "tcp://127.0.0.1:" + gateway.brokerPorts().get(0), "pump-1", new MemoryPersistence());
    device.connect(new MqttConnectionOptions());
    device.subscribe(
        new MqttSubscription[] {new MqttSubscription("bench/out/#", 1)},
        new IMqttMessageListener[] {(topic, message) -> arrived.add(topic)});
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              device.publish("bench/in/pump-1", "42".getBytes(StandardCharsets.UTF_8), 1, false);
              assertThat(arrived).contains("bench/out/pump-1");
            });
  }

  private static JsonNode json(String text) throws IOException {
    return JsonMapper.builder().build().readTree(text);
  }

  static String document(String... functions) {
    return "{\"schemaVersion\": 1, \"name\": \"test\", \"functions\": ["
        + String.join(",", functions)
        + "]}";
  }

  /** The spec with its sha256's first hex digit replaced by a different one, whatever it was. */
  private static String withFirstDigestDigitChanged(String spec) {
    Matcher m = Pattern.compile("\"sha256\": \"([0-9a-f])").matcher(spec);
    assertThat(m.find()).isTrue();
    String changed = m.group(1).equals("0") ? "1" : "0";
    return spec.substring(0, m.start(1)) + changed + spec.substring(m.end(1));
  }

  private String function(String name, String version, byte[] jar) throws Exception {
    String path = name + "-" + version + ".jar";
    artifacts.put(path, jar);
    return """
        {"name": "%s", "version": "%s", "runtime": "java",
         "artifact": {"url": "%s", "sha256": "%s", "size": %d}}
        """
        .formatted(
            name,
            version,
            artifacts.url(path),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(jar)),
            jar.length);
  }

  /** The echo function (bench/in/# → bench/out/#) as a deployable jar. */
  static byte[] echoJar(String version) throws IOException {
    String cls = EchoHandler.class.getName().replace('.', '/') + ".class";
    return jar(
        """
        name: echo
        version: %s
        runtime: java
        handler: %s
        triggers: ["bench/in/#"]
        """
            .formatted(version, EchoHandler.class.getName()),
        cls,
        EchoHandler.class.getClassLoader().getResourceAsStream(cls).readAllBytes());
  }

  /** A pinned process function whose child exits at once: it never gets healthy. */
  static byte[] crashingJar(String name, String version) throws IOException {
    return jar(
        """
        name: %s
        version: %s
        runtime: process
        lifecycle: pinned
        command: [sh, -c, "exit 3"]
        triggers: ["bench/in/#"]
        """
            .formatted(name, version),
        null,
        null);
  }

  /** A zipped directory package: the descriptor and one executable script (mode 0755). */
  private static byte[] zip(String descriptor, String script, String content) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream out =
        new org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream(bytes)) {
      org.apache.commons.compress.archivers.zip.ZipArchiveEntry d =
          new org.apache.commons.compress.archivers.zip.ZipArchiveEntry("outpost-function.yaml");
      out.putArchiveEntry(d);
      out.write(descriptor.getBytes(StandardCharsets.UTF_8));
      out.closeArchiveEntry();
      org.apache.commons.compress.archivers.zip.ZipArchiveEntry e =
          new org.apache.commons.compress.archivers.zip.ZipArchiveEntry(script);
      e.setUnixMode(0755);
      out.putArchiveEntry(e);
      out.write(content.getBytes(StandardCharsets.UTF_8));
      out.closeArchiveEntry();
    }
    return bytes.toByteArray();
  }

  private static byte[] jar(String descriptor, String entry, byte[] content) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (OutputStream file = bytes;
        JarOutputStream out = new JarOutputStream(file)) {
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
