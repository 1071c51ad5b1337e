package io.outpost.sim.measure;

/**
 * How a backlog drained after an outage, as the subscriber saw it. Times are seconds since the
 * consumer started.
 *
 * @param staleThresholdMs end-to-end latency above which a message counts as backlog
 * @param backlogMessages messages that arrived later than the threshold
 * @param firstBacklogAtSeconds arrival of the first backlog message (drain start), or -1
 * @param lastBacklogAtSeconds arrival of the last backlog message (backlog finished), or -1
 * @param drainSeconds {@code last - first}
 * @param drainRatePerSecond backlog messages per second of drain, 0 when undefined
 * @param maxBacklogLatencyMs the oldest message's end-to-end latency
 * @param longestSilenceSeconds longest time without any arrival (the outage as seen downstream)
 * @param longestSilenceStartSeconds when that silence began, or -1
 */
public record DrainSummary(
    double staleThresholdMs,
    long backlogMessages,
    double firstBacklogAtSeconds,
    double lastBacklogAtSeconds,
    double drainSeconds,
    double drainRatePerSecond,
    double maxBacklogLatencyMs,
    double longestSilenceSeconds,
    double longestSilenceStartSeconds) {}
