package io.outpost.broker;

import java.time.Instant;

/**
 * A snapshot of one connected client, for the admin API.
 *
 * @param clientId client identifier (assigned by the broker when the client sent none)
 * @param protocolVersion 4 for MQTT 3.1.1, 5 for MQTT 5.0
 * @param remoteAddress peer address as {@code host:port}
 * @param connectedAt when the connection was accepted
 * @param subscriptions number of subscriptions of the session
 * @param inflight outgoing QoS 1/2 messages awaiting acknowledgement
 * @param queued messages waiting for an in-flight slot
 */
public record ClientInfo(
    String clientId,
    int protocolVersion,
    String remoteAddress,
    Instant connectedAt,
    int subscriptions,
    int inflight,
    int queued) {}
