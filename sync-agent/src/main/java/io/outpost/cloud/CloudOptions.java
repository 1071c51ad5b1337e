package io.outpost.cloud;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.net.URI;
import java.time.Duration;

/**
 * Options of the cloud link: the {@code cloud:} section of the gateway YAML (absent = offline;
 * everything routed to the cloud stays in the spool). Absent keys get the default named in their
 * constant; invalid values are rejected with {@code IllegalArgumentException("<key>: <why>")}.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code CloudOptionsBuilder.With} ({@link #withRateLimits} sets both rate limits at once); every
 * copy runs the constructor again, so it gets the same defaults and checks.
 *
 * @param url broker URL, {@code tcp://host:port} or {@code ssl://host:port}. Required.
 * @param clientId MQTT client id; also the {@code gateway} of batch envelopes and {@code
 *     {clientId}} in topics. Required.
 * @param mqttVersion {@code 5} (default) or {@code 3.1.1}.
 * @param username MQTT user name, or absent.
 * @param password MQTT password, or absent; printed as {@code <redacted>} (see {@link Secret}).
 * @param tls mutual TLS from PEM files for {@code ssl://}, see {@link TlsOptions}.
 * @param keepAliveSeconds MQTT keep-alive. Default {@value #DEFAULT_KEEP_ALIVE_SECONDS}.
 * @param connectTimeoutSeconds time allowed for TCP + TLS + CONNACK. Default {@value
 *     #DEFAULT_CONNECT_TIMEOUT_SECONDS}.
 * @param sessionExpirySeconds persistent session lifetime (MQTT 5; 3.1.1 uses {@code
 *     cleanSession=false}). Default {@value #DEFAULT_SESSION_EXPIRY_SECONDS}.
 * @param inflightWindow most cloud publishes awaiting PUBACK (also capped by the cloud's Receive
 *     Maximum), and most publishes read ahead of them. Default {@value #DEFAULT_INFLIGHT_WINDOW}
 *     (AWS IoT Core's receive maximum).
 * @param pendingDeletes most publishes the cloud acknowledged whose delete from the spool is not
 *     committed yet: at that many the drain sends nothing new until a delete commit lands. A crash
 *     can send at most {@code inflightWindow + pendingDeletes} publishes twice. Default {@value
 *     #DEFAULT_PENDING_DELETES}.
 * @param maxPublishesPerSecond drain rate limit in cloud publishes per second (a batch counts
 *     once); {@code 0} = none (default).
 * @param maxBytesPerSecond drain rate limit in payload bytes per second; {@code 0} = none
 *     (default).
 * @param maxMessageBytes largest publish the cloud accepts. The daemon refuses larger messages at
 *     ingress (see {@link CloudPayloadLimit}); one spooled before the limit was lowered goes to the
 *     dead-letter table as {@code too-large}. Default {@value #DEFAULT_MAX_MESSAGE_BYTES} (AWS IoT
 *     Core).
 * @param ackTimeoutSeconds a publish not acknowledged within this time is treated as a dead
 *     connection (reconnect and redeliver). Default {@value #DEFAULT_ACK_TIMEOUT_SECONDS}.
 * @param batching see {@link BatchingOptions}; off by default.
 * @param backoff reconnect backoff, see {@link BackoffOptions}.
 * @param circuitBreaker see {@link CircuitBreakerOptions}.
 * @param statusTopic retained {@code online}/{@code offline} status (also the will); {@code
 *     {clientId}} is replaced. Default {@value #DEFAULT_STATUS_TOPIC}.
 * @param downlinkQos QoS of the downlink subscriptions. Default {@value #DEFAULT_DOWNLINK_QOS}.
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record CloudOptions(
    String url,
    String clientId,
    MqttVersion mqttVersion,
    String username,
    Secret password,
    TlsOptions tls,
    Integer keepAliveSeconds,
    Integer connectTimeoutSeconds,
    Long sessionExpirySeconds,
    Integer inflightWindow,
    Integer pendingDeletes,
    Integer maxPublishesPerSecond,
    Long maxBytesPerSecond,
    Integer maxMessageBytes,
    Integer ackTimeoutSeconds,
    BatchingOptions batching,
    BackoffOptions backoff,
    CircuitBreakerOptions circuitBreaker,
    String statusTopic,
    Integer downlinkQos)
    implements CloudOptionsBuilder.With {

  public static final MqttVersion DEFAULT_MQTT_VERSION = MqttVersion.V5;
  public static final int DEFAULT_KEEP_ALIVE_SECONDS = 30;
  public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
  public static final long DEFAULT_SESSION_EXPIRY_SECONDS = 3600;
  public static final int DEFAULT_INFLIGHT_WINDOW = 100;
  public static final int DEFAULT_PENDING_DELETES = 2000;
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
  public static final int DEFAULT_ACK_TIMEOUT_SECONDS = 30;
  public static final String DEFAULT_STATUS_TOPIC = "outpost/{clientId}/status";
  public static final int DEFAULT_DOWNLINK_QOS = 1;

  /** Paho's message-id space bounds the window. */
  static final int MAX_INFLIGHT_WINDOW = 65_535;

  /** Acknowledged publishes' ids are held in memory until their delete commits. */
  static final int MAX_PENDING_DELETES = 1_000_000;

  public CloudOptions {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "url: required, e.g. ssl://xxxx-ats.iot.eu-west-1.amazonaws.com:8883");
    }
    String scheme = URI.create(url).getScheme();
    if (!"tcp".equals(scheme) && !"ssl".equals(scheme)) {
      throw new IllegalArgumentException("url: scheme must be tcp or ssl, got '" + url + "'");
    }
    if (clientId == null || clientId.isBlank()) {
      throw new IllegalArgumentException("clientId: required");
    }
    mqttVersion = mqttVersion == null ? DEFAULT_MQTT_VERSION : mqttVersion;
    tls = tls == null ? TlsOptions.defaults() : tls;
    keepAliveSeconds = atLeast("keepAliveSeconds", keepAliveSeconds, DEFAULT_KEEP_ALIVE_SECONDS, 0);
    connectTimeoutSeconds =
        atLeast("connectTimeoutSeconds", connectTimeoutSeconds, DEFAULT_CONNECT_TIMEOUT_SECONDS, 1);
    sessionExpirySeconds =
        sessionExpirySeconds == null ? DEFAULT_SESSION_EXPIRY_SECONDS : sessionExpirySeconds;
    if (sessionExpirySeconds < 0 || sessionExpirySeconds > 0xFFFFFFFFL) {
      throw new IllegalArgumentException(
          "sessionExpirySeconds: must be in [0, 4294967295], got " + sessionExpirySeconds);
    }
    inflightWindow = atLeast("inflightWindow", inflightWindow, DEFAULT_INFLIGHT_WINDOW, 1);
    if (inflightWindow > MAX_INFLIGHT_WINDOW) {
      throw new IllegalArgumentException("inflightWindow: must be <= " + MAX_INFLIGHT_WINDOW);
    }
    pendingDeletes = atLeast("pendingDeletes", pendingDeletes, DEFAULT_PENDING_DELETES, 1);
    if (pendingDeletes > MAX_PENDING_DELETES) {
      throw new IllegalArgumentException(
          "pendingDeletes: must be <= " + MAX_PENDING_DELETES + ", got " + pendingDeletes);
    }
    maxPublishesPerSecond = atLeast("maxPublishesPerSecond", maxPublishesPerSecond, 0, 0);
    maxBytesPerSecond = maxBytesPerSecond == null ? 0 : maxBytesPerSecond;
    if (maxBytesPerSecond < 0 || maxBytesPerSecond > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxBytesPerSecond: must be in [0, 2147483647], got " + maxBytesPerSecond);
    }
    maxMessageBytes = atLeast("maxMessageBytes", maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, 1);
    ackTimeoutSeconds =
        atLeast("ackTimeoutSeconds", ackTimeoutSeconds, DEFAULT_ACK_TIMEOUT_SECONDS, 1);
    batching = batching == null ? BatchingOptions.disabled() : batching;
    if (batching.enabled() && batching.maxBytes() > maxMessageBytes) {
      throw new IllegalArgumentException(
          "batching.maxBytes: must be <= maxMessageBytes (" + maxMessageBytes + ")");
    }
    if (maxBytesPerSecond > 0
        && maxBytesPerSecond < Math.min(maxMessageBytes, batching.maxBytes())) {
      throw new IllegalArgumentException(
          "maxBytesPerSecond: must be 0 or >= the largest publish ("
              + Math.min(maxMessageBytes, batching.maxBytes())
              + " bytes)");
    }
    backoff = backoff == null ? BackoffOptions.defaults() : backoff;
    circuitBreaker = circuitBreaker == null ? CircuitBreakerOptions.defaults() : circuitBreaker;
    statusTopic = statusTopic == null ? DEFAULT_STATUS_TOPIC : statusTopic;
    downlinkQos = atLeast("downlinkQos", downlinkQos, DEFAULT_DOWNLINK_QOS, 0);
    if (downlinkQos > 1) {
      throw new IllegalArgumentException("downlinkQos: must be 0 or 1, got " + downlinkQos);
    }
  }

  /** Defaults for a broker URL and client id. */
  public static CloudOptions of(String url, String clientId) {
    return new CloudOptions(
        url, clientId, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null);
  }

  /** A copy with other drain rate limits (0 = none). */
  public CloudOptions withRateLimits(int publishesPerSecond, long bytesPerSecond) {
    return with(b -> b.maxPublishesPerSecond(publishesPerSecond).maxBytesPerSecond(bytesPerSecond));
  }

  /** The status topic with {@code {clientId}} replaced. */
  public String resolvedStatusTopic() {
    return statusTopic.replace("{clientId}", clientId);
  }

  /** The batch topic with {@code {clientId}} replaced. */
  public String resolvedBatchTopic() {
    return batching.topic().replace("{clientId}", clientId);
  }

  public Duration ackTimeout() {
    return Duration.ofSeconds(ackTimeoutSeconds);
  }

  private static int atLeast(String key, Integer value, int fallback, int min) {
    if (value == null) {
      return fallback;
    }
    if (value < min) {
      throw new IllegalArgumentException(key + ": must be >= " + min + ", got " + value);
    }
    return value;
  }
}
