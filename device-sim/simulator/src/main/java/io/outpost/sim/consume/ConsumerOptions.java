package io.outpost.sim.consume;

import io.outpost.sim.client.ConnectionSettings;
import io.outpost.sim.measure.DrainTracker;
import io.outpost.sim.measure.SequenceTracker;
import io.outpost.sim.payload.PayloadDecoder;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code device-sim consume} subscribes to and how it judges what arrives.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code ConsumerOptionsBuilder.With} (the methods below set two keys at once); every copy runs the
 * constructor again, so it gets the same checks.
 *
 * @param connection broker to subscribe on (may differ from the one devices publish to)
 * @param topicFilter subscription filter
 * @param qos subscription QoS
 * @param subscribers independent subscriber connections; each must receive every message
 * @param clientIdPrefix subscriber client ids are this prefix plus {@code -1..n}
 * @param decoder reads device id, sequence and timestamp from payloads
 * @param firstSeq the first sequence number each device sends
 * @param expectedPerDevice messages each device sent, so a missing tail counts as lost (0: unknown)
 * @param expectedDevices devices that sent, so silent devices count as lost (0: unknown)
 * @param staleThreshold end-to-end latency above which a message counts as outage backlog
 * @param duration stop after this long (zero: no limit)
 * @param idleTimeout stop when nothing arrived for this long after the first message (zero: never)
 * @param maxDevices per-subscriber bound on tracked devices
 * @param maxGapRanges per-device bound on open sequence gaps
 * @param warmup arrivals within this time after the first one are left out of latency figures (JIT
 *     warm-up); they still count for sequence checks
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record ConsumerOptions(
    ConnectionSettings connection,
    String topicFilter,
    int qos,
    int subscribers,
    String clientIdPrefix,
    PayloadDecoder decoder,
    long firstSeq,
    long expectedPerDevice,
    int expectedDevices,
    Duration staleThreshold,
    Duration duration,
    Duration idleTimeout,
    int maxDevices,
    int maxGapRanges,
    Duration warmup)
    implements ConsumerOptionsBuilder.With {

  public static final String DEFAULT_TOPIC_FILTER = "devices/+/telemetry";
  public static final String DEFAULT_CLIENT_ID_PREFIX = "device-sim-consumer";

  public ConsumerOptions {
    Objects.requireNonNull(connection, "connection");
    Objects.requireNonNull(topicFilter, "topicFilter");
    Objects.requireNonNull(decoder, "decoder");
    Objects.requireNonNull(staleThreshold, "staleThreshold");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(warmup, "warmup");
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("qos must be 0, 1 or 2");
    }
    if (subscribers < 1) {
      throw new IllegalArgumentException("subscribers must be at least 1");
    }
    if (expectedPerDevice < 0 || expectedDevices < 0) {
      throw new IllegalArgumentException("expectations must not be negative");
    }
  }

  /** One QoS 1 subscriber on the default filter with default judging. */
  public static ConsumerOptions of(ConnectionSettings connection) {
    return new ConsumerOptions(
        connection,
        DEFAULT_TOPIC_FILTER,
        1,
        1,
        DEFAULT_CLIENT_ID_PREFIX,
        PayloadDecoder.defaults(),
        1,
        0,
        0,
        DrainTracker.DEFAULT_STALE_THRESHOLD,
        Duration.ZERO,
        Duration.ZERO,
        SequenceTracker.DEFAULT_MAX_DEVICES,
        SequenceTracker.DEFAULT_MAX_GAP_RANGES,
        Duration.ZERO);
  }

  public ConsumerOptions withExpectation(long perDevice, int devices) {
    return with(b -> b.expectedPerDevice(perDevice).expectedDevices(devices));
  }

  public ConsumerOptions withLimits(Duration maxDuration, Duration idle) {
    return with(b -> b.duration(maxDuration).idleTimeout(idle));
  }

  /** Total unique deliveries expected over all subscribers, or 0 when unknown. */
  long expectedDeliveries() {
    return expectedPerDevice * expectedDevices * subscribers;
  }
}
