package io.outpost.sim.consume;

import io.outpost.sim.measure.DrainSummary;
import io.outpost.sim.measure.LatencySummary;
import io.outpost.sim.measure.SequenceCounts;
import io.outpost.sim.measure.TimelinePoint;
import java.util.List;

/**
 * The result of {@code device-sim consume}. Counts are summed over subscribers, so with 50
 * subscribers every message counts 50 times.
 *
 * @param subscribers subscriber connections
 * @param topicFilter the subscription
 * @param received messages received, duplicates and undecodable ones included
 * @param undecodable messages without a readable sequence number
 * @param sequence loss, duplicate and ordering accounting
 * @param elapsedSeconds first to last arrival
 * @param throughputPerSecond received / elapsed
 * @param endToEndLatency intended send time (embedded in the payload) to arrival, after warm-up
 * @param warmupExcluded arrivals during the warm-up, left out of the latency figures
 * @param negativeLatencies arrivals stamped in the future (clocks of different hosts disagree)
 * @param drain outage backlog figures
 * @param timeline per-second samples
 */
public record ConsumeSummary(
    int subscribers,
    String topicFilter,
    long received,
    long undecodable,
    SequenceCounts sequence,
    double elapsedSeconds,
    double throughputPerSecond,
    LatencySummary endToEndLatency,
    long warmupExcluded,
    long negativeLatencies,
    DrainSummary drain,
    List<TimelinePoint> timeline) {}
