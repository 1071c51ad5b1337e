package io.outpost.gateway.config;

import java.util.List;

/**
 * The {@code fleet:} section: deployments received over the AWS IoT Jobs MQTT API on the cloud
 * link, and the state reported on the named shadow {@code outpost}. Without a {@code cloud:}
 * section it has no effect.
 *
 * @param enabled {@code false} turns the jobs agent and the shadow reports off; default {@code
 *     true}
 * @param thingName the AWS IoT thing name in the jobs and shadow topics; default the cloud link's
 *     {@code clientId}
 * @param trustAnchors PEM files with Ed25519 or ECDSA P-256 public keys; when any are given, every
 *     artifact must carry a signature one of them verifies, otherwise it is refused; default none
 *     (sha256 only)
 * @param maxArtifactBytes largest artifact a deployment may download; default {@value
 *     #DEFAULT_MAX_ARTIFACT_BYTES} (64 MiB); beyond: the job FAILED at step {@code download},
 *     counted in {@code outpost.fleet.artifacts.refused{reason=too-large}}
 * @param maxDiskBytes most disk the downloaded artifacts may use together (older ones are evicted
 *     first); default {@value #DEFAULT_MAX_DISK_BYTES} (256 MiB); beyond: FAILED at {@code
 *     download}, {@code reason=disk-full}
 * @param downloadTimeoutSeconds longest a single artifact download may stall before it is retried;
 *     default {@value #DEFAULT_DOWNLOAD_TIMEOUT_SECONDS}
 * @param healthWindowSeconds how long every deployed function must stay RUNNING (and the config
 *     accepted, the cloud link up) after the switch before a deployment counts as SUCCEEDED;
 *     default {@value #DEFAULT_HEALTH_WINDOW_SECONDS}
 * @param reportIntervalSeconds least time between two shadow reports (changes in between are
 *     merged); default {@value #DEFAULT_REPORT_INTERVAL_SECONDS}
 * @param retainReports publish the shadow report retained, so that on a plain MQTT broker {@code
 *     outpost fleet status} finds the last one of every gateway; leave off on AWS IoT Core (shadows
 *     keep state there); default {@code false}
 */
public record FleetOptions(
    Boolean enabled,
    String thingName,
    List<String> trustAnchors,
    Long maxArtifactBytes,
    Long maxDiskBytes,
    Integer downloadTimeoutSeconds,
    Integer healthWindowSeconds,
    Integer reportIntervalSeconds,
    Boolean retainReports) {

  public static final long DEFAULT_MAX_ARTIFACT_BYTES = 64L * 1024 * 1024;
  public static final long DEFAULT_MAX_DISK_BYTES = 256L * 1024 * 1024;
  public static final int DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 60;
  public static final int DEFAULT_HEALTH_WINDOW_SECONDS = 10;
  public static final int DEFAULT_REPORT_INTERVAL_SECONDS = 5;

  public FleetOptions {
    enabled = enabled == null || enabled;
    trustAnchors = trustAnchors == null ? List.of() : List.copyOf(trustAnchors);
    maxArtifactBytes = positive("maxArtifactBytes", maxArtifactBytes, DEFAULT_MAX_ARTIFACT_BYTES);
    maxDiskBytes = positive("maxDiskBytes", maxDiskBytes, DEFAULT_MAX_DISK_BYTES);
    downloadTimeoutSeconds =
        (int)
            positive(
                "downloadTimeoutSeconds",
                downloadTimeoutSeconds == null ? null : downloadTimeoutSeconds.longValue(),
                DEFAULT_DOWNLOAD_TIMEOUT_SECONDS);
    reportIntervalSeconds =
        (int)
            positive(
                "reportIntervalSeconds",
                reportIntervalSeconds == null ? null : reportIntervalSeconds.longValue(),
                DEFAULT_REPORT_INTERVAL_SECONDS);
    healthWindowSeconds =
        healthWindowSeconds == null ? DEFAULT_HEALTH_WINDOW_SECONDS : healthWindowSeconds;
    if (healthWindowSeconds < 0) {
      throw new IllegalArgumentException(
          "healthWindowSeconds: must be 0 or more, not " + healthWindowSeconds);
    }
    retainReports = retainReports != null && retainReports;
    if (maxArtifactBytes > maxDiskBytes) {
      throw new IllegalArgumentException(
          "maxArtifactBytes: must not exceed maxDiskBytes (" + maxDiskBytes + ")");
    }
    if (thingName != null && (thingName.isBlank() || !thingName.matches("[a-zA-Z0-9:_-]{1,128}"))) {
      throw new IllegalArgumentException(
          "thingName: 1..128 of a-z A-Z 0-9 : _ -, not '" + thingName + "'");
    }
  }

  public static FleetOptions defaults() {
    return new FleetOptions(null, null, null, null, null, null, null, null, null);
  }

  /** The thing name in effect: {@link #thingName()} or else the cloud link's client id. */
  public String thingOr(String clientId) {
    return thingName != null ? thingName : clientId;
  }

  private static long positive(String key, Long value, long fallback) {
    if (value == null) {
      return fallback;
    }
    if (value <= 0) {
      throw new IllegalArgumentException(key + ": must be positive, not " + value);
    }
    return value;
  }
}
