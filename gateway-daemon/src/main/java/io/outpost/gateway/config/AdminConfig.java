package io.outpost.gateway.config;

import java.nio.file.Path;

/**
 * The {@code admin:} section: the operator's HTTP API (health, metrics, status).
 *
 * @param listen {@code host:port} to bind; default {@value #DEFAULT_LISTEN} (loopback only). Port 0 picks a free port
 * @param enabled {@code false} turns the admin API off; default {@code true}
 * @param tokenFile file holding the bearer token every request needs; created (mode 0600) at first start when
 *     missing; default {@code admin.token} in {@code storage.dir}
 */
public record AdminConfig(String listen, Boolean enabled, String tokenFile) {

  public static final String DEFAULT_LISTEN = "127.0.0.1:8181";
  public static final String DEFAULT_TOKEN_FILE = "admin.token";

  public AdminConfig {
    listen = listen == null ? DEFAULT_LISTEN : listen;
    enabled = enabled == null || enabled;
    int colon = listen.lastIndexOf(':');
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new IllegalArgumentException("listen: must be host:port, not '" + listen + "'");
    }
    try {
      int port = Integer.parseInt(listen.substring(colon + 1));
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("listen: port must be 0..65535, not " + port);
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("listen: port must be a number in '" + listen + "'", e);
    }
  }

  public static AdminConfig defaults() {
    return new AdminConfig(null, null, null);
  }

  /** The token file in effect: {@link #tokenFile} or {@code admin.token} in {@code dataDir}. */
  public Path tokenPath(Path dataDir) {
    return tokenFile == null ? dataDir.resolve(DEFAULT_TOKEN_FILE) : Path.of(tokenFile);
  }

  /** Host part of {@link #listen}, without IPv6 brackets. */
  public String host() {
    String host = listen.substring(0, listen.lastIndexOf(':'));
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** Port part of {@link #listen}. */
  public int port() {
    return Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
  }
}
