package io.outpost.broker.internal.metrics;

import io.micrometer.core.instrument.Counter;

/**
 * Message counters of one listener, resolved once per connection so the per-message cost is one
 * increment.
 *
 * @param received {@code outpost.broker.listener.messages.received{listener}}: PUBLISH packets
 *     accepted from clients
 * @param sent {@code outpost.broker.listener.messages.sent{listener}}: PUBLISH packets written to
 *     clients
 */
public record ListenerCounters(Counter received, Counter sent) {}
