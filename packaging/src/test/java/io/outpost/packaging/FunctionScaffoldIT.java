package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * From the tarball to a working function, per runtime, as a new author goes: {@code outpost
 * functions init} with the packaged launcher (which finds the packaged SDK beside its jar), the
 * scaffold's own build and test (offline: for Java the API and testkit come from the SDK only, for
 * Wasm the AssemblyScript packages, with npm's cache empty and its registry a dead socket), {@code
 * outpost functions deploy} to a running daemon, then a device's publish on the trigger topic and
 * the function's output seen by a subscriber.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FunctionScaffoldIT {

  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;

  private static Path launcher;
  private static Path sdk;
  private static LaunchedDaemon daemon;
  private static OperatorCli cli;
  private static int mqttPort;

  @BeforeAll
  static void unpackTarballAndStartDaemon() throws Exception {
    Path unpacked = Files.createDirectories(dir.resolve("tarball"));
    Tool.succeed("tar", "-xzf", Artifacts.tarball().toString(), "-C", unpacked.toString());
    try (var entries = Files.list(unpacked)) {
      Path root = entries.findFirst().orElseThrow();
      launcher = root.resolve("bin/outpost");
      sdk = root.resolve("share/outpost/sdk");
    }
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
            broker: {listeners: [{host: 127.0.0.1, port: 0}]}
            storage: {dir: ./data}
            admin: {listen: "127.0.0.1:0"}
            """);
    daemon = LaunchedDaemon.jar(dir, "run", "--config", config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(90);
    mqttPort = endpoints.mqttPort();
    cli = new OperatorCli(dir, config, endpoints.adminPort());
  }

  @AfterAll
  static void stopDaemon() throws Exception {
    if (daemon != null) {
      daemon.terminate();
      daemon.awaitExit(60);
      daemon.close();
    }
  }

  @Test
  void javaScaffoldBuildsOfflineAgainstThePackagedSdkAndRunsWhenDeployed() throws Exception {
    Path project = init("hello-java", "java");
    assertThat(Files.readString(project.resolve("pom.xml"))).contains(sdk.toUri().toString());

    Path repository = ScaffoldRepository.create(dir.resolve("m2-java"));
    Tool.Result build =
        Tool.run(
            project,
            Map.of(),
            BUILD_TIMEOUT,
            "mvn",
            "-o",
            "-q",
            "-B",
            "-Dmaven.repo.local=" + repository,
            "package");
    assertThat(build.exitCode()).as(build.output()).isZero();
    assertThat(project.resolve("target/surefire-reports")).isDirectory();
    assertThat(
            repository.resolve(
                "io/outpost/outpost-function-testkit/"
                    + sdkVersion()
                    + "/outpost-function-testkit-"
                    + sdkVersion()
                    + ".jar"))
        .as("the testkit came from the SDK")
        .hasSameBinaryContentAs(
            sdk.resolve(
                "io/outpost/outpost-function-testkit/"
                    + sdkVersion()
                    + "/outpost-function-testkit-"
                    + sdkVersion()
                    + ".jar"));

    deployAndExpectGreeting("hello-java", project.resolve("target/hello-java.jar"));
  }

  @Test
  void pythonScaffoldsTestPassesAndItRunsWhenDeployed() throws Exception {
    Path project = init("hello-python", "python");

    Tool.Result test = Tool.run(project, Map.of(), BUILD_TIMEOUT, python(), "-m", "unittest", "-v");
    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(test.output()).contains("Ran 2 tests", "OK");

    deployAndExpectGreeting("hello-python", project);
  }

  @Test
  void wasmScaffoldInstallsFromThePackagedSdkWithoutARegistryAndRunsWhenDeployed()
      throws Exception {
    OfflineNpm.assumeNodeAndNpm();
    Path project = init("hello-wasm", "wasm");
    assertThat(Files.readString(project.resolve("package.json")))
        .contains("file:" + sdk.resolve("npm").toAbsolutePath());

    try (OfflineNpm npm = new OfflineNpm(dir.resolve("npm-wasm"))) {
      // plain `npm install`, not --offline: the project itself must ask no registry
      Tool.Result install =
          Tool.run(project, npm.environment(), BUILD_TIMEOUT, "npm", "install", "--no-progress");
      assertThat(install.exitCode()).as(install.output()).isZero();
      assertThat(npm.registryConnections()).as("connections to the registry").isZero();
      JsonNode lock = JSON.readTree(project.resolve("package-lock.json").toFile());
      JsonNode installed = lock.path("packages");
      assertThat(installed.size()).as(lock.toPrettyString()).isGreaterThan(1);
      installed
          .fields()
          .forEachRemaining(
              entry -> {
                if (!entry.getKey().isEmpty()) {
                  assertThat(entry.getValue().path("resolved").asText())
                      .as("%s comes from the SDK", entry.getKey())
                      .startsWith("file:")
                      .contains("/npm/")
                      .endsWith(".tgz");
                }
              });

      Tool.Result test = Tool.run(project, npm.environment(), BUILD_TIMEOUT, "npm", "test");
      assertThat(test.exitCode()).as(test.output()).isZero();
      assertThat(test.output()).contains("# pass 2", "# fail 0");
      assertThat(npm.registryConnections()).as("connections to the registry").isZero();
    }

    Tool.Result validate =
        Tool.run(
            dir,
            launcherEnvironment(),
            Tool.DEFAULT_TIMEOUT,
            launcher.toString(),
            "functions",
            "validate",
            project.resolve("dist").toString());
    assertThat(validate.exitCode()).as(validate.output()).isZero();
    assertThat(validate.output()).contains("OK hello-wasm 1.0.0");

    deployAndExpectGreeting("hello-wasm", project.resolve("dist"));
  }

  private static Path init(String name, String runtime) throws Exception {
    Path project = dir.resolve(name);
    Tool.Result init =
        Tool.run(
            dir,
            launcherEnvironment(),
            Tool.DEFAULT_TIMEOUT,
            launcher.toString(),
            "functions",
            "init",
            name,
            "--runtime",
            runtime,
            "--dir",
            project.toString());
    assertThat(init.exitCode()).as(init.output()).isZero();
    assertThat(init.output()).contains("created " + runtime + " function " + name);
    return project;
  }

  /** The packaged launcher's environment: no host defaults file, no class-data archive. */
  private static Map<String, String> launcherEnvironment() {
    return Map.of(
        "OUTPOST_DEFAULTS", dir.resolve("no-defaults").toString(),
        "OUTPOST_CDS_DIR", dir.resolve("no-cds").toString());
  }

  private static void deployAndExpectGreeting(String name, Path pkg) throws Exception {
    OperatorCli.Run deploy = cli.run("functions", "deploy", pkg.toString());
    assertThat(deploy.exitCode()).as(deploy.toString()).isZero();
    assertThat(deploy.out()).contains("deployed " + name + " 1.0.0");

    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    MqttClient device =
        new MqttClient("tcp://127.0.0.1:" + mqttPort, "scaffold-" + name, new MemoryPersistence());
    try {
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      device.connect(options);
      device.subscribe(
          name + "/out",
          1,
          (topic, message) ->
              seen.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8)));
      device.publish(
          name + "/in", "{\"name\": \"Ada\"}".getBytes(StandardCharsets.UTF_8), 1, false);

      String output = seen.poll(60, TimeUnit.SECONDS);
      assertThat(output)
          .as("the function's output; daemon log:\n" + daemon.outputTail(40))
          .isNotNull()
          .startsWith(name + "/out ")
          .contains("\"greeting\":\"Hello, Ada!\"");
    } finally {
      device.disconnect();
      device.close();
    }
  }

  private static String sdkVersion() throws Exception {
    try (var versions = Files.list(sdk.resolve("io/outpost/outpost-function-api"))) {
      return versions.filter(Files::isDirectory).findFirst().orElseThrow().getFileName().toString();
    }
  }

  private static String python() {
    return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
  }
}
