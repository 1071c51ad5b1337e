package io.outpost.gateway.cli;

import io.outpost.gateway.Gateway;
import io.outpost.gateway.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A daemon started in-process for a command-line test: its config file in the test's temp dir
 * (broker and admin API on loopback ephemeral ports, storage under the dir, then any more YAML the
 * test needs), run until {@link #close()}.
 */
final class LocalDaemon implements AutoCloseable {

  /** The config every such daemon starts from; {@code %s} is its storage dir. */
  static final String BASE_CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: %s}
      admin: {listen: "127.0.0.1:0"}
      """;

  private final Path config;
  private final Gateway gateway;

  private LocalDaemon(Path config, Gateway gateway) {
    this.config = config;
    this.gateway = gateway;
  }

  /** Starts a daemon on {@link #BASE_CONFIG} with storage in {@code dir/data}. */
  static LocalDaemon start(Path dir) throws Exception {
    return start(dir, "");
  }

  /**
   * Starts a daemon on {@link #BASE_CONFIG} followed by {@code moreYaml} (top-level sections the
   * base does not have), with storage in {@code dir/data}.
   */
  static LocalDaemon start(Path dir, String moreYaml) throws Exception {
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"), BASE_CONFIG.formatted(dir.resolve("data")) + moreYaml);
    return new LocalDaemon(config, Gateway.start(new ConfigLoader().load(config), config));
  }

  Gateway gateway() {
    return gateway;
  }

  /** The daemon's config file, as the CLI is given it. */
  Path config() {
    return config;
  }

  /** {@code tcp://127.0.0.1:<port>} of the broker's first listener. */
  String mqttUrl() {
    return "tcp://127.0.0.1:" + gateway.brokerPorts().get(0);
  }

  String adminUrl() {
    return "http://127.0.0.1:" + gateway.adminPort();
  }

  /** Runs the real {@code outpost} command line against this daemon. */
  CliRun cli(String... args) {
    return CliRun.against(config, adminUrl(), args);
  }

  @Override
  public void close() {
    gateway.stop(Duration.ofSeconds(10));
  }
}
