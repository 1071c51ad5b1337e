package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb extracted into a temporary root and started from its own {@code /usr/bin/outpost}
 * launcher with the packaged {@code /etc/default/outpost}: what systemd's {@code ExecStart=} and
 * {@code ExecStartPost=} run.
 */
class ExtractedPackageIT {

  private static final String RELOAD = "kill -HUP \"$MAINPID\"";

  @TempDir static Path root;
  @TempDir Path dir;

  private static Path launcher;
  private static Map<String, String> env;
  private LaunchedDaemon daemon;

  @BeforeAll
  static void extractPackage() throws Exception {
    Tool.assumeInstalled("dpkg-deb");
    Tool.succeed("dpkg-deb", "--extract", Artifacts.deb().toString(), root.toString());
    launcher = root.resolve("usr/bin/outpost");
    // the class-data sharing archive goes to a directory of the test, not /var/cache/outpost
    env =
        Map.of(
            "OUTPOST_DEFAULTS",
            root.resolve("etc/default/outpost").toString(),
            "OUTPOST_CDS_DIR",
            root.resolve("var/cache/outpost").toString());
  }

  @AfterEach
  void stopDaemon() throws IOException, InterruptedException {
    if (daemon != null) {
      daemon.close();
    }
    Tool.succeed("rm", "-rf", root.resolve("var/cache/outpost").toString());
  }

  @Test
  void runsWithPackagedJvmOptionsReportsReadyAndStopsOnSigterm() throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(dir.resolve("data")));
    Map<String, String> override = new HashMap<>(env);
    override.put("OUTPOST_JAVA_OPTS", "-Xmx96m");
    daemon = LaunchedDaemon.start(launcher, dir, override, "run", "--config", config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(90);

    String cmdline =
        Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "cmdline"))
            .replace('\0', ' ');
    assertThat(cmdline)
        .as("the launcher execs java with /etc/default/outpost's JAVA_OPTS")
        .contains(
            "-XX:+UseSerialGC",
            "-Xmx128m",
            "-XX:+ExitOnOutOfMemoryError",
            "-jar ",
            "/usr/bin/../share/outpost/outpost.jar");
    assertThat(cmdline.indexOf("-Xmx96m"))
        .as("OUTPOST_JAVA_OPTS comes later, so it wins")
        .isGreaterThan(cmdline.indexOf("-Xmx128m"));

    MqttClient client =
        new MqttClient(
            "tcp://127.0.0.1:" + endpoints.mqttPort(), "deb-it", new MemoryPersistence());
    try {
      client.connect();
      client.publish("devices/d1/telemetry", "1".getBytes(StandardCharsets.UTF_8), 1, false);
      client.disconnect();
    } finally {
      client.close();
    }

    // what ExecStartPost does: the same data directory (for the admin token), the admin port the
    // daemon bound
    Path probeConfig =
        Files.writeString(
            dir.resolve("probe.yaml"),
            """
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:%d"}
        """
                .formatted(dir.resolve("data"), endpoints.adminPort()));
    Tool.Result ready =
        Tool.run(
            dir,
            env,
            Duration.ofSeconds(60),
            launcher.toString(),
            "await-ready",
            "--config",
            probeConfig.toString(),
            "--timeout",
            "30");
    assertThat(ready.exitCode()).as(ready.output()).isZero();
    assertThat(ready.output())
        .contains("ready (http://127.0.0.1:" + endpoints.adminPort() + "/health/ready)");

    // what `systemctl reload` runs (ExecReload=), with $MAINPID set as systemd sets it
    assertThat(Files.readString(root.resolve("lib/systemd/system/outpost.service")).lines())
        .contains("ExecReload=/bin/sh -c '" + RELOAD + "'");
    Tool.Result reload =
        Tool.run(
            dir,
            Map.of("MAINPID", Long.toString(daemon.pid())),
            Duration.ofSeconds(30),
            "/bin/sh",
            "-c",
            RELOAD);
    assertThat(reload.exitCode()).as(reload.output()).isZero();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(daemon.output()).contains("received SIGHUP"));

    long before = System.nanoTime();
    daemon.terminate();
    int exit = daemon.awaitExit(30);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
    assertThat(exit).as(daemon.output()).isZero();
    assertThat(tookMillis).as("graceful stop within the unit's budget").isLessThan(10_000);
    assertThat(daemon.output()).contains("received SIGTERM", "stopped cleanly");
    assertThat(dir.resolve("data")).isDirectory();
  }

  @Test
  void updateCdsArchiveBuildsTheArchiveThatLaterStartsMapAndADamagedOneIsIgnored()
      throws Exception {
    Tool.Result update =
        Tool.run(dir, env, Duration.ofSeconds(180), launcher.toString(), "update-cds-archive");

    assertThat(update.exitCode()).as(update.output()).isZero();
    Path archive = root.resolve("var/cache/outpost/outpost.jsa");
    assertThat(update.output()).contains("wrote " + archive);
    assertThat(archive).isNotEmptyFile();
    assertThat(root.resolve("var/cache/outpost/outpost.jsa.stamp"))
        .content()
        .contains(
            launcher.getParent() + "/../share/outpost/outpost.jar ",
            archive + " ",
            "opts -XX:+UseSerialGC");
    Path cache = archive.getParent();
    assertThat(cache.toFile().list())
        .as("no training leftovers")
        .containsExactlyInAnyOrder(
            "outpost.jsa", "outpost.jsa.stamp", "outpost.jsa.log", "libsqlitejdbc.so");

    daemon = startDaemon();
    daemon.awaitReady(90);
    assertThat(cmdline())
        .contains(
            "-Xshare:auto -XX:SharedArchiveFile="
                + archive
                + " -Dorg.sqlite.lib.path="
                + cache
                + " -Dorg.sqlite.lib.name=libsqlitejdbc.so -XX:+UseSerialGC");
    assertThat(maps())
        .as("the JVM mapped the archive and SQLite's library from the cache")
        .contains(archive.toString(), cache.resolve("libsqlitejdbc.so").toString());
    assertThat(daemon.output()).doesNotContain("shared archive", "[cds");
    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(daemon.output()).isZero();

    // same size and time, so the stamp still matches, but a garbage header: the JVM must ignore it,
    // not fail to start
    byte[] bytes = Files.readAllBytes(archive);
    FileTime modified = Files.getLastModifiedTime(archive);
    Arrays.fill(bytes, 0, 4096, (byte) 0x5a);
    assertThat(archive.toFile().setWritable(true)).isTrue();
    Files.write(archive, bytes);
    Files.setLastModifiedTime(archive, modified);
    daemon = startDaemon();
    daemon.awaitReady(90);
    assertThat(cmdline()).contains("-XX:SharedArchiveFile=" + archive);
    assertThat(maps()).doesNotContain(archive.toString());
  }

  @Test
  void startsWithoutAnArchiveMadeForAnotherJavaJarOrJvmOptions() throws Exception {
    Path cache = Files.createDirectories(root.resolve("var/cache/outpost"));
    Files.write(cache.resolve("outpost.jsa"), new byte[4096]);
    Files.writeString(cache.resolve("outpost.jsa.stamp"), "java /opt/another-jdk/bin/java 1 2\n");

    daemon = startDaemon();
    daemon.awaitReady(90);

    assertThat(cmdline()).doesNotContain("SharedArchiveFile");
    assertThat(daemon.output())
        .contains(
            "was made for another java, outpost.jar or JAVA_OPTS", "outpost update-cds-archive");
  }

  private LaunchedDaemon startDaemon() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(dir.resolve("data")));
    return LaunchedDaemon.start(launcher, dir, env, "run", "--config", config.toString());
  }

  private String maps() throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "maps"));
  }

  private String cmdline() throws IOException {
    return Files.readString(Path.of("/proc", Long.toString(daemon.pid()), "cmdline"))
        .replace('\0', ' ');
  }

  @Test
  void awaitReadyExits69WhenHealthNeverAnswers() throws Exception {
    // accepts TCP connections (kernel backlog) but never answers HTTP: the probe must time out, not
    // hang
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Path token = Files.writeString(dir.resolve("admin.token"), "0123456789abcdef\n");
      Path config =
          Files.writeString(
              dir.resolve("probe.yaml"),
              """
          admin: {listen: "127.0.0.1:%d", tokenFile: %s}
          """
                  .formatted(silent.getLocalPort(), token));

      Tool.Result result =
          Tool.run(
              dir,
              env,
              Duration.ofSeconds(60),
              launcher.toString(),
              "await-ready",
              "--config",
              config.toString(),
              "--timeout",
              "3");

      assertThat(result.exitCode()).as(result.output()).isEqualTo(69);
      assertThat(result.output())
          .contains("not ready after 3 s", "/health/ready", "TimeoutException");
    }
  }

  @Test
  void launcherRefusesToStartWithoutItsJar() throws IOException, InterruptedException {
    Path lonely = Files.copy(launcher, dir.resolve("outpost"));
    assertThat(lonely.toFile().setExecutable(true)).isTrue();

    Tool.Result result = Tool.run(dir, env, Duration.ofSeconds(30), lonely.toString(), "version");

    assertThat(result.exitCode()).isEqualTo(69);
    assertThat(result.output()).contains("cannot read").contains("share/outpost/outpost.jar");
  }
}
