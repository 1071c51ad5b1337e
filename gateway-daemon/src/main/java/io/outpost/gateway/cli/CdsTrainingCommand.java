package io.outpost.gateway.cli;

import io.outpost.durable.DurableFiles;
import io.outpost.gateway.DataDirectory.DataDirectoryException;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.Gateway;
import io.outpost.gateway.StartupException;
import io.outpost.gateway.admin.AdminToken;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteJDBCLoader;
import org.sqlite.util.LibraryLoaderUtil;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code outpost cds-training} (hidden): one short, private run of the daemon whose loaded classes
 * the JVM dumps into an application class-data sharing archive ({@code -XX:ArchiveClassesAtExit}).
 * The packaged launcher runs it for {@code outpost update-cds-archive} (the .deb's postinst, the
 * tarball's install.sh) and later starts map that archive instead of loading and verifying ~5,000
 * classes one by one: the largest part of the start-up time on a small box.
 *
 * <p>It walks the paths a real start and its first minutes take: the YAML configuration through the
 * same loader, the daemon on loopback port 0 with a temporary data directory, a {@code
 * /health/ready} probe, one MQTT device publishing QoS 1 into the spool, and a graceful stop; the
 * probes use plain sockets (see {@link TrainingProbes}), so the archive holds the daemon's classes
 * and few others. It touches nothing outside its temporary directory, and leaves the logging as it
 * found it (the start-up default, {@link io.outpost.gateway.logging.DefaultLogConfigurator}).
 */
@Command(
    name = "cds-training",
    hidden = true,
    mixinStandardHelpOptions = true,
    description =
        "Run the daemon once on a temporary data directory and loopback port 0, probe it and stop "
            + "(the training run for the launcher's class-data sharing archive).")
final class CdsTrainingCommand implements Callable<Integer> {

  /** How long the training daemon may take to stop; it has one idle connection at most. */
  static final Duration STOP_BUDGET = Duration.ofSeconds(10);

  static final String TOPIC = "devices/cds-training/telemetry";

  private static final Logger LOG = LoggerFactory.getLogger(CdsTrainingCommand.class);
  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: "%s"}
      routes:
        - {name: telemetry, from: local, filter: "devices/+/telemetry", to: cloud, qos: 1}
      admin: {listen: "127.0.0.1:0"}
      logging: {level: info}
      """;

  @Option(
      names = "--native-library-dir",
      paramLabel = "DIR",
      description =
          "Also copy SQLite's native library for this machine into DIR, so that starts load it from there "
              + "(-Dorg.sqlite.lib.path) instead of extracting it from the jar every time.")
  Path nativeLibraryDir;

  @Override
  public Integer call() throws IOException {
    Path dir = Files.createTempDirectory("outpost-cds-training-");
    int exit;
    try {
      exit = train(dir);
    } finally {
      deleteRecursively(dir);
    }
    if (exit == ExitCodes.OK && nativeLibraryDir != null) {
      copySqliteLibrary(nativeLibraryDir);
    }
    return exit;
  }

  /**
   * SQLite's native library for this machine, as sqlite-jdbc would extract it to a temporary file
   * at every start (its own platform detection runs {@code uname}), copied once to {@code dir},
   * readable by everyone, replaced atomically.
   */
  static Path copySqliteLibrary(Path dir) throws IOException {
    String name = LibraryLoaderUtil.getNativeLibName();
    String resource = LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
    Path target = dir.resolve(name);
    Path partial = Files.createTempFile(dir, name, ".new");
    try (InputStream in = SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no SQLite native library for this machine in the jar: " + resource);
      }
      Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-r--r--"));
      DurableFiles.fsync(partial);
      DurableFiles.moveAtomically(partial, target);
    } finally {
      Files.deleteIfExists(partial);
    }
    return target;
  }

  private int train(Path dir) throws IOException {
    Path data = dir.resolve("data");
    Path file = Files.writeString(dir.resolve("outpost.yaml"), CONFIG.formatted(data));
    OutpostConfig config;
    try {
      config = new ConfigLoader().load(file);
    } catch (ConfigException e) {
      System.err.println(
          "outpost: cds-training: invalid training configuration: " + e.getMessage());
      return ExitCodes.SOFTWARE;
    }
    LOG.info("CDS training run starting from {}: {}", file, StartupSummary.of(config));
    Gateway gateway;
    try {
      gateway = Gateway.start(config, file);
    } catch (DataDirectoryException | StartupException e) {
      System.err.println("outpost: cds-training: start failed: " + e.getMessage());
      return ExitCodes.SOFTWARE;
    }
    try {
      LOG.info("CDS training daemon ready: {}", gateway.describeEndpoints());
      String token = AdminToken.read(config.admin().tokenPath(data));
      String ready = TrainingProbes.httpGet(gateway.adminPort(), "/health/ready", token);
      TrainingProbes.mqttPublishQos1(
          gateway.brokerPorts().get(0),
          "cds-training",
          TOPIC,
          "{\"t\":21.5}".getBytes(StandardCharsets.UTF_8));
      if (!ready.contains(" 200")) {
        System.err.println("outpost: cds-training: /health/ready answered " + ready);
        return ExitCodes.SOFTWARE;
      }
      return ExitCodes.OK;
    } catch (IOException e) {
      System.err.println("outpost: cds-training: probing the daemon failed: " + e);
      return ExitCodes.SOFTWARE;
    } finally {
      if (!gateway.stop(STOP_BUDGET)) {
        LOG.warn("CDS training daemon did not stop within {}", STOP_BUDGET);
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
