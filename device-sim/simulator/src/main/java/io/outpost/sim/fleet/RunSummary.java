package io.outpost.sim.fleet;

import io.outpost.sim.measure.LatencySummary;
import io.outpost.sim.measure.TimelinePoint;
import java.util.List;

/**
 * The result of {@code device-sim run}.
 *
 * @param devices devices configured
 * @param connectedDevices devices that connected
 * @param connectFailures devices whose first connect failed (they sent nothing)
 * @param qos QoS used
 * @param mqttVersion protocol version used
 * @param ratePerDevice configured rate (0 = unlimited)
 * @param payload payload description
 * @param sent messages handed to the client
 * @param acked messages acknowledged (QoS 0: written)
 * @param failed publishes that completed with an error
 * @param rejected publishes refused by the client before sending (retried later, not lost)
 * @param windowFullEvents pacing ticks that found the device's window full
 * @param unackedAtEnd messages still unacknowledged when the drain timeout expired
 * @param elapsedSeconds from the first device starting to send until sending and acks finished
 * @param throughputPerSecond acked / elapsed
 * @param ackLatency publish-to-ack latency, measured from the intended send time
 * @param timeline per-second samples
 */
public record RunSummary(
    int devices,
    int connectedDevices,
    int connectFailures,
    int qos,
    String mqttVersion,
    double ratePerDevice,
    String payload,
    long sent,
    long acked,
    long failed,
    long rejected,
    long windowFullEvents,
    long unackedAtEnd,
    double elapsedSeconds,
    double throughputPerSecond,
    LatencySummary ackLatency,
    List<TimelinePoint> timeline) {}
