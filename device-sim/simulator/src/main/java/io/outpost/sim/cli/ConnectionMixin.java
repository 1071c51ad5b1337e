package io.outpost.sim.cli;

import io.outpost.sim.client.ConnectionSettings;
import io.outpost.sim.client.MqttVersion;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Broker connection options shared by {@code run} and {@code consume}. */
final class ConnectionMixin {

  @Option(
      names = {"-b", "--broker"},
      paramLabel = "URI",
      defaultValue = ConnectionSettings.DEFAULT_SERVER_URI,
      description = "Broker, tcp://host:port or ssl://host:port (default: ${DEFAULT-VALUE}).")
  String broker;

  @Option(
      names = {"-m", "--mqtt-version"},
      paramLabel = "3.1.1|5",
      defaultValue = "3.1.1",
      description = "MQTT protocol version (default: ${DEFAULT-VALUE}).")
  String mqttVersion;

  @Option(
      names = {"-u", "--username"},
      description = "User name.")
  String username;

  @Option(
      names = {"-P", "--password"},
      description = "Password (or set DEVICE_SIM_PASSWORD).")
  String password;

  @Option(
      names = "--ca-file",
      paramLabel = "PEM",
      description = "CA certificate(s) to trust for ssl://.")
  Path caFile;

  @Option(
      names = "--tls-insecure",
      description = "Trust any server certificate and skip host name checks.")
  boolean tlsInsecure;

  @Option(
      names = "--clean-session",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Start clean sessions (default: ${DEFAULT-VALUE}); --no-clean-session keeps them.")
  boolean cleanSession;

  @Option(
      names = "--session-expiry",
      converter = DurationConverter.class,
      defaultValue = "1h",
      description = "MQTT 5 session expiry with --no-clean-session (default: ${DEFAULT-VALUE}).")
  Duration sessionExpiry;

  @Option(
      names = "--keep-alive",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description = "Keep-alive interval (default: ${DEFAULT-VALUE}).")
  Duration keepAlive;

  @Option(
      names = "--connect-timeout",
      converter = DurationConverter.class,
      defaultValue = "10s",
      description = "CONNECT timeout (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--max-inflight",
      defaultValue = "" + ConnectionSettings.DEFAULT_MAX_INFLIGHT,
      description = "Client in-flight limit for QoS 1/2 (default: ${DEFAULT-VALUE}).")
  int maxInflight;

  @Option(
      names = "--reconnect",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description = "Reconnect and resubscribe automatically (default: ${DEFAULT-VALUE}).")
  boolean reconnect;

  ConnectionSettings settings() {
    String pw = password != null ? password : System.getenv("DEVICE_SIM_PASSWORD");
    return new ConnectionSettings(
        broker,
        MqttVersion.parse(mqttVersion),
        username,
        pw,
        caFile,
        tlsInsecure,
        cleanSession,
        sessionExpiry,
        keepAlive,
        connectTimeout,
        maxInflight,
        reconnect);
  }
}
