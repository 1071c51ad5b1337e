package io.outpost.broker.internal.session;

import io.outpost.broker.BrokerMessage;
import io.vertx.core.Future;
import java.util.List;

/**
 * What sessions and retained messages need from durable storage. Every operation runs off the event
 * loop and completes its future once committed.
 */
public interface SessionPersistence {

  /** Creates or updates the session row. */
  Future<Void> saveSession(String clientId, long expirySeconds, long disconnectedAtMillis);

  /** Deletes the session with its subscriptions and messages. */
  Future<Void> deleteSession(String clientId);

  Future<Void> saveSubscription(Subscription subscription);

  Future<Void> deleteSubscription(String clientId, String text);

  /** Inserts messages queued for {@code clientId}; completes with their row ids in order. */
  Future<long[]> insertMessages(String clientId, List<OutboundMessage> messages);

  /** Records the packet id and QoS 2 release state of a stored message. */
  Future<Void> updateMessage(long storeId, int packetId, boolean released);

  Future<Void> deleteMessage(long storeId);

  /**
   * Records that an incoming QoS 2 packet id was received (PUBREC may follow) for a persistent
   * session.
   */
  Future<Void> saveInboundQos2(String clientId, int packetId);

  /** Forgets an incoming QoS 2 packet id (PUBREL received). */
  Future<Void> deleteInboundQos2(String clientId, int packetId);

  Future<Void> putRetained(BrokerMessage message);

  Future<Void> deleteRetained(String topic);
}
