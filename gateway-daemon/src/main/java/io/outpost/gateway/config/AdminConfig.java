package io.outpost.gateway.config;

import java.nio.file.Path;

/**
 * The {@code admin:} section: the operator's HTTP API (health, metrics, status, function
 * deployment).
 *
 * <p>The request bounds protect the daemon from oversized uploads. A request beyond one gets HTTP
 * 413 with a stable error code and is counted in {@code
 * outpost.admin.uploads.rejected{reason=<code>}}; they change on a reload.
 *
 * @param listen {@code host:port} to bind; default {@value #DEFAULT_LISTEN} (loopback only). Port 0
 *     picks a free port
 * @param enabled {@code false} turns the admin API off; default {@code true}
 * @param tokenFile file holding the bearer token every request needs; created (mode 0600) at first
 *     start when missing; default {@code admin.token} in {@code storage.dir}
 * @param maxPackageBytes largest function package upload (a JAR or a zipped directory); default
 *     {@value #DEFAULT_MAX_PACKAGE_BYTES} (64 MiB); beyond: 413 {@code package-too-large}
 * @param maxUnpackedBytes largest total size a zipped directory package may expand to; default
 *     {@value #DEFAULT_MAX_UNPACKED_BYTES} (256 MiB); beyond: 413 {@code package-expands-too-large}
 * @param maxPackageFiles most entries a zipped directory package may hold; default {@value
 *     #DEFAULT_MAX_PACKAGE_FILES}; beyond: 413 {@code package-has-too-many-files}
 * @param maxInvokeBytes largest body of a manual function invocation; default {@value
 *     #DEFAULT_MAX_INVOKE_BYTES} (1 MiB); beyond: 413 {@code invocation-too-large}
 * @param openMetrics {@code true} serves {@code /metrics} without the token (for a Prometheus that
 *     cannot send one); default {@code false}: the token is needed. {@code /health/live} and {@code
 *     /health/ready} never need it
 * @param consoleMaxStreams most live update streams the web console ({@code /ui}) serves at once;
 *     default {@value #DEFAULT_CONSOLE_MAX_STREAMS}; beyond: 503 {@code too-many-streams}, counted
 *     in {@code outpost.admin.console.streams.rejected}
 * @param consoleMaxSessions most signed-in console sessions kept at once; default {@value
 *     #DEFAULT_CONSOLE_MAX_SESSIONS}; a login beyond it ends the least recently used session,
 *     counted in {@code outpost.admin.console.sessions.evicted}
 * @param consoleSessionIdleMinutes a console session unused this long ends (the browser shows the
 *     login page again); default {@value #DEFAULT_CONSOLE_SESSION_IDLE_MINUTES}
 */
public record AdminConfig(
    String listen,
    Boolean enabled,
    String tokenFile,
    Long maxPackageBytes,
    Long maxUnpackedBytes,
    Integer maxPackageFiles,
    Long maxInvokeBytes,
    Boolean openMetrics,
    Integer consoleMaxStreams,
    Integer consoleMaxSessions,
    Integer consoleSessionIdleMinutes) {

  public static final String DEFAULT_LISTEN = "127.0.0.1:8181";
  public static final String DEFAULT_TOKEN_FILE = "admin.token";
  public static final long DEFAULT_MAX_PACKAGE_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_MAX_UNPACKED_BYTES = 256L * 1024 * 1024;
  public static final int DEFAULT_MAX_PACKAGE_FILES = 10_000;
  public static final long DEFAULT_MAX_INVOKE_BYTES = 1024L * 1024;
  public static final int DEFAULT_CONSOLE_MAX_STREAMS = 8;
  public static final int DEFAULT_CONSOLE_MAX_SESSIONS = 32;
  public static final int DEFAULT_CONSOLE_SESSION_IDLE_MINUTES = 30;

  public AdminConfig {
    listen = listen == null ? DEFAULT_LISTEN : listen;
    enabled = enabled == null || enabled;
    maxPackageBytes = positive("maxPackageBytes", maxPackageBytes, DEFAULT_MAX_PACKAGE_BYTES);
    maxUnpackedBytes = positive("maxUnpackedBytes", maxUnpackedBytes, DEFAULT_MAX_UNPACKED_BYTES);
    maxPackageFiles = positive("maxPackageFiles", maxPackageFiles, DEFAULT_MAX_PACKAGE_FILES);
    maxInvokeBytes = positive("maxInvokeBytes", maxInvokeBytes, DEFAULT_MAX_INVOKE_BYTES);
    openMetrics = openMetrics != null && openMetrics;
    consoleMaxStreams =
        positive("consoleMaxStreams", consoleMaxStreams, DEFAULT_CONSOLE_MAX_STREAMS);
    consoleMaxSessions =
        positive("consoleMaxSessions", consoleMaxSessions, DEFAULT_CONSOLE_MAX_SESSIONS);
    consoleSessionIdleMinutes =
        positive(
            "consoleSessionIdleMinutes",
            consoleSessionIdleMinutes,
            DEFAULT_CONSOLE_SESSION_IDLE_MINUTES);
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
    return new AdminConfig(null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The request bounds alone, which can change while the API runs. */
  public UploadLimits uploadLimits() {
    return new UploadLimits(maxPackageBytes, maxUnpackedBytes, maxPackageFiles, maxInvokeBytes);
  }

  /**
   * This section with another one's request bounds: what a reload can apply without rebinding the
   * API.
   */
  public AdminConfig withUploadLimits(AdminConfig other) {
    return new AdminConfig(
        listen,
        enabled,
        tokenFile,
        other.maxPackageBytes,
        other.maxUnpackedBytes,
        other.maxPackageFiles,
        other.maxInvokeBytes,
        openMetrics,
        consoleMaxStreams,
        consoleMaxSessions,
        consoleSessionIdleMinutes);
  }

  /** The admin API's request bounds, in bytes and entries; see {@link AdminConfig}. */
  public record UploadLimits(
      long maxPackageBytes, long maxUnpackedBytes, int maxPackageFiles, long maxInvokeBytes) {}

  private static int positive(String key, Integer value, int fallback) {
    return (int) positive(key, value == null ? null : value.longValue(), fallback);
  }

  private static long positive(String key, Long value, long fallback) {
    if (value == null) {
      return fallback;
    }
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": must be > 0, was " + value);
    }
    return value;
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
