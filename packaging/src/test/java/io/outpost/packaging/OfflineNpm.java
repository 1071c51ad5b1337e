package io.outpost.packaging;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * npm cut off from every registry, to prove that a wasm scaffold installs from the packaged SDK
 * alone: an empty cache of its own, no user configuration, and as its registry a loopback socket
 * that takes connections but never answers, so that any attempt to reach a registry is counted (and
 * fails within seconds) instead of being served by the network or the machine's npm cache.
 */
final class OfflineNpm implements AutoCloseable {

  private final Path home;
  private final ServerSocket registry;
  private int connections;

  /** Sets up in {@code dir} (created if absent). */
  OfflineNpm(Path dir) throws IOException {
    home = Files.createDirectories(dir);
    Files.writeString(home.resolve("npmrc"), "");
    registry = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  /** Skips the calling test (JUnit assumption) unless node and npm are on the PATH. */
  static void assumeNodeAndNpm() {
    List<String> missing =
        List.of("node", "npm").stream().filter(tool -> !Tool.installed(tool)).toList();
    assumeTrue(
        missing.isEmpty(),
        "a wasm project needs Node.js and npm; not installed: " + String.join(", ", missing));
  }

  /** The environment for npm: the isolated cache, an empty user configuration, the trap. */
  Map<String, String> environment() {
    return Map.of(
        "npm_config_cache",
        home.resolve("cache").toString(),
        "npm_config_userconfig",
        home.resolve("npmrc").toString(),
        "npm_config_registry",
        "http://127.0.0.1:" + registry.getLocalPort() + "/",
        "npm_config_fetch_retries",
        "0",
        "npm_config_fetch_timeout",
        "5000",
        "npm_config_update_notifier",
        "false");
  }

  /** How many connections npm opened to the registry so far. */
  int registryConnections() throws IOException {
    registry.setSoTimeout(1);
    while (true) {
      Socket connection;
      try {
        connection = registry.accept();
      } catch (SocketTimeoutException e) {
        return connections;
      }
      connection.close();
      connections++;
    }
  }

  @Override
  public void close() throws IOException {
    registry.close();
  }
}
