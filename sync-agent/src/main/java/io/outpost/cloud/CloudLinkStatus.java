package io.outpost.cloud;

import java.time.Duration;
import java.time.Instant;

/**
 * The cloud link as an operator needs to see it: where it connects, whether it is up, why not, when
 * it tries again, and how fast the backlog goes.
 *
 * @param url the configured broker URL
 * @param state where the link is
 * @param offlineFor how long it has been offline ({@link Duration#ZERO} while online)
 * @param lastError why the last connection attempt failed or the connection was lost, in plain
 *     words (never a library's exception text); {@code null} if none since start
 * @param lastErrorAt when {@code lastError} happened, or {@code null}
 * @param nextRetryAt when the next connection attempt is due while backing off, else {@code null}
 * @param drainPerSecond messages delivered per second over the last {@value
 *     DrainRate#WINDOW_SECONDS} seconds
 * @param etaSeconds seconds until the spool is empty at that rate: {@code 0} when empty, {@code -1}
 *     when unknown (messages waiting but nothing is being delivered)
 */
public record CloudLinkStatus(
    String url,
    CloudLinkState state,
    Duration offlineFor,
    String lastError,
    Instant lastErrorAt,
    Instant nextRetryAt,
    double drainPerSecond,
    long etaSeconds) {}
