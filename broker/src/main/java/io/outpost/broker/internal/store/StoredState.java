package io.outpost.broker.internal.store;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.internal.session.OutboundMessage;
import io.outpost.broker.internal.session.Subscription;
import java.util.List;
import java.util.Map;

/**
 * Everything the broker store held at start-up.
 *
 * @param sessions persistent sessions that had not expired
 * @param subscriptions their subscriptions
 * @param messages their undelivered messages by client id, in insertion order
 * @param inboundQos2 incoming QoS 2 packet ids awaiting PUBREL, by client id
 * @param retained retained messages
 */
public record StoredState(
    List<StoredSession> sessions,
    List<Subscription> subscriptions,
    Map<String, List<OutboundMessage>> messages,
    Map<String, List<Integer>> inboundQos2,
    List<BrokerMessage> retained) {

  /**
   * One stored session row.
   *
   * @param clientId client id
   * @param expirySeconds session expiry interval
   * @param disconnectedAtMillis when it went offline (epoch millis)
   */
  public record StoredSession(String clientId, long expirySeconds, long disconnectedAtMillis) {}
}
