package io.outpost.sim.client;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How simulated clients reach a broker: address, protocol version, credentials, TLS and session.
 *
 * @param serverUri {@code tcp://host:port} or {@code ssl://host:port}
 * @param version protocol version
 * @param username user name, or null
 * @param password password, or null
 * @param caFile PEM file with the CA certificate(s) to trust for TLS, or null for the JDK's
 *     defaults
 * @param tlsInsecure trust any server certificate and skip host name checks (self-signed test
 *     brokers)
 * @param cleanSession start a clean session (false keeps subscriptions and queued messages)
 * @param sessionExpiry MQTT 5 session expiry when {@code cleanSession} is false
 * @param keepAlive keep-alive interval
 * @param connectTimeout time allowed for CONNECT/CONNACK
 * @param maxInflight the client's in-flight window for QoS 1/2 (Paho's own queue bound)
 * @param automaticReconnect reconnect (and resubscribe) after a lost connection
 */
public record ConnectionSettings(
    String serverUri,
    MqttVersion version,
    String username,
    String password,
    Path caFile,
    boolean tlsInsecure,
    boolean cleanSession,
    Duration sessionExpiry,
    Duration keepAlive,
    Duration connectTimeout,
    int maxInflight,
    boolean automaticReconnect) {

  public static final String DEFAULT_SERVER_URI = "tcp://127.0.0.1:1883";
  public static final Duration DEFAULT_SESSION_EXPIRY = Duration.ofHours(1);
  public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final int DEFAULT_MAX_INFLIGHT = 1000;

  /** Cap on Paho's reconnect back-off, so a subscriber is back within seconds after an outage. */
  public static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(2);

  public ConnectionSettings {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(sessionExpiry, "sessionExpiry");
    Objects.requireNonNull(keepAlive, "keepAlive");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!serverUri.startsWith("tcp://") && !serverUri.startsWith("ssl://")) {
      throw new IllegalArgumentException(
          "broker must be tcp://host:port or ssl://host:port, was " + serverUri);
    }
    if (maxInflight < 1 || maxInflight > 65_535) {
      throw new IllegalArgumentException("max in-flight must be 1..65535, was " + maxInflight);
    }
  }

  /** Plain TCP, MQTT 3.1.1, clean session, defaults elsewhere. */
  public static ConnectionSettings plain(String serverUri, MqttVersion version) {
    return new ConnectionSettings(
        serverUri,
        version,
        null,
        null,
        null,
        false,
        true,
        DEFAULT_SESSION_EXPIRY,
        DEFAULT_KEEP_ALIVE,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_MAX_INFLIGHT,
        true);
  }

  public ConnectionSettings withCleanSession(boolean clean) {
    return new ConnectionSettings(
        serverUri,
        version,
        username,
        password,
        caFile,
        tlsInsecure,
        clean,
        sessionExpiry,
        keepAlive,
        connectTimeout,
        maxInflight,
        automaticReconnect);
  }

  public ConnectionSettings withMaxInflight(int inflight) {
    return new ConnectionSettings(
        serverUri,
        version,
        username,
        password,
        caFile,
        tlsInsecure,
        cleanSession,
        sessionExpiry,
        keepAlive,
        connectTimeout,
        inflight,
        automaticReconnect);
  }

  public ConnectionSettings withAutomaticReconnect(boolean reconnect) {
    return new ConnectionSettings(
        serverUri,
        version,
        username,
        password,
        caFile,
        tlsInsecure,
        cleanSession,
        sessionExpiry,
        keepAlive,
        connectTimeout,
        maxInflight,
        reconnect);
  }

  boolean tls() {
    return serverUri.startsWith("ssl://");
  }

  @Override
  public String toString() {
    // never print the password
    return "ConnectionSettings["
        + serverUri
        + ", "
        + version
        + ", user="
        + username
        + ", tls="
        + tls()
        + ", clean="
        + cleanSession
        + "]";
  }
}
