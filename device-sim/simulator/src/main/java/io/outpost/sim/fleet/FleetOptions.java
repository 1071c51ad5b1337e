package io.outpost.sim.fleet;

import io.outpost.sim.client.ConnectionSettings;
import io.outpost.sim.payload.PayloadGenerator;
import io.outpost.sim.payload.SizedPayload;
import io.outpost.sim.payload.Template;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.Objects;

/**
 * What a simulated fleet does.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code FleetOptionsBuilder.With} ({@link #withRate} is {@code withRatePerDevice}); every copy
 * runs the constructor again, so it gets the same checks.
 *
 * @param connection broker, protocol version, credentials, TLS
 * @param devices number of devices, each with its own connection and client id
 * @param deviceIdPrefix device ids are this prefix plus a zero-padded index, e.g. {@code dev-00001}
 * @param topic topic template, rendered once per device
 * @param payload payload generator
 * @param qos 0, 1 or 2
 * @param ratePerDevice messages per second per device; 0 means as fast as the window allows
 * @param rampUp device connections are spread evenly over this time
 * @param duration stop sending this long after start; zero means no time limit
 * @param messagesPerDevice stop each device after this many messages; 0 means no count limit
 * @param window per-device bound on unacknowledged messages; when full the device waits (counted)
 * @param pacerThreads threads that pace and publish for all devices
 * @param drainTimeout how long to wait for outstanding acknowledgements after sending stops
 * @param seed seed for random placeholder values
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record FleetOptions(
    ConnectionSettings connection,
    int devices,
    String deviceIdPrefix,
    Template topic,
    PayloadGenerator payload,
    int qos,
    double ratePerDevice,
    Duration rampUp,
    Duration duration,
    long messagesPerDevice,
    int window,
    int pacerThreads,
    Duration drainTimeout,
    long seed)
    implements FleetOptionsBuilder.With {

  public static final int DEFAULT_DEVICES = 10;
  public static final String DEFAULT_DEVICE_ID_PREFIX = "dev-";
  public static final String DEFAULT_TOPIC = "devices/{deviceId}/telemetry";
  public static final int DEFAULT_PAYLOAD_BYTES = 100;
  public static final double DEFAULT_RATE_PER_DEVICE = 1.0;
  public static final int DEFAULT_WINDOW = 100;
  public static final int DEFAULT_PACER_THREADS =
      Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);

  public FleetOptions {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(rampUp, "rampUp");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    require(devices >= 1, "devices must be at least 1");
    require(qos >= 0 && qos <= 2, "qos must be 0, 1 or 2");
    require(ratePerDevice >= 0, "rate must not be negative");
    require(!rampUp.isNegative() && !duration.isNegative(), "durations must not be negative");
    require(messagesPerDevice >= 0, "count must not be negative");
    require(!duration.isZero() || messagesPerDevice > 0, "give a duration or a message count");
    require(
        window >= 1 && window <= connection.maxInflight(),
        "window must be 1.." + connection.maxInflight() + " (the client's max in-flight)");
    require(pacerThreads >= 1, "pacer threads must be at least 1");
  }

  /**
   * A fleet of {@code devices} sending {@code messagesPerDevice} default payloads at the default
   * rate.
   */
  public static FleetOptions of(
      ConnectionSettings connection, int devices, long messagesPerDevice) {
    return new FleetOptions(
        connection,
        devices,
        DEFAULT_DEVICE_ID_PREFIX,
        Template.compile(DEFAULT_TOPIC),
        new SizedPayload(DEFAULT_PAYLOAD_BYTES),
        1,
        DEFAULT_RATE_PER_DEVICE,
        Duration.ZERO,
        Duration.ZERO,
        messagesPerDevice,
        DEFAULT_WINDOW,
        DEFAULT_PACER_THREADS,
        DEFAULT_DRAIN_TIMEOUT,
        1L);
  }

  public FleetOptions withRate(double rate) {
    return withRatePerDevice(rate);
  }

  /** The id of device {@code index} (zero-based): prefix plus the one-based index, five digits. */
  public String deviceId(int index) {
    return String.format(java.util.Locale.ROOT, "%s%05d", deviceIdPrefix, index + 1);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
