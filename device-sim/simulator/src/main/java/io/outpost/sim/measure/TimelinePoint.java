package io.outpost.sim.measure;

/**
 * One per-second sample of a run or consume session; cumulative counts plus the rate over the last
 * interval. Fields that do not apply to a side stay 0.
 *
 * @param seconds time since the session started
 * @param epochMillis wall-clock time of the sample, to line up timelines of different processes
 * @param sent messages handed to the client (run)
 * @param acked messages acknowledged by the broker (run)
 * @param received messages received (consume)
 * @param errors failed publishes, rejected publishes and connect failures (run); undecodable
 *     (consume)
 * @param lost sequence gaps so far (consume)
 * @param duplicates duplicates so far (consume)
 * @param backlog backlog (stale) messages so far (consume)
 * @param ratePerSecond acked (run) or received (consume) per second over the last interval
 */
public record TimelinePoint(
    double seconds,
    long epochMillis,
    long sent,
    long acked,
    long received,
    long errors,
    long lost,
    long duplicates,
    long backlog,
    double ratePerSecond) {}
