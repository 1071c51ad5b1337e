package io.outpost.gateway.broker.session;

import io.outpost.gateway.broker.QueueOverflowPolicy;
import io.outpost.gateway.broker.metrics.BrokerMetrics;
import java.time.Clock;

/**
 * What every session shares: bounds, storage, metrics and the clock.
 *
 * @param maxQueuedMessages queue bound per session
 * @param overflow what to drop when the queue is full
 * @param persistence durable storage
 * @param metrics meters
 * @param clock time source (injected for tests)
 */
public record SessionSettings(int maxQueuedMessages, QueueOverflowPolicy overflow, SessionPersistence persistence,
                              BrokerMetrics metrics, Clock clock) {
}
