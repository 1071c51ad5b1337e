package io.outpost.broker;

import io.vertx.core.Future;

/**
 * The one seam between the broker and the rest of the daemon. Every message entering the broker,
 * whatever its {@link MessageSource}, takes one path, in this order:
 *
 * <ol>
 *   <li>authorize: a client's PUBLISH against its permissions (other sources are the daemon's own);
 *   <li>durable routes: {@link #route} (not for {@link MessageSource#CLOUD}); a failure stops the
 *       message here;
 *   <li>local delivery: retained when flagged, then to the matching sessions (durably for offline
 *       persistent ones);
 *   <li>{@link #delivered}: what reacts to accepted messages (local function triggers);
 *   <li>acknowledge: PUBACK/PUBREC to the publishing client, or completing the future of {@code
 *       MqttBroker.publish}.
 * </ol>
 *
 * Implementations must not block: they are called on an event loop.
 */
@FunctionalInterface
public interface PublishRouter {

  /**
   * Routes {@code message}. The returned future completes when every durable consumer (e.g. the
   * cloud spool) has the message; only then does the broker send PUBACK/PUBREC and deliver to local
   * subscribers. Fail it with {@link RouteRejectedException} to answer an MQTT 5 publisher with
   * that reason code (e.g. {@code 0x97} quota exceeded); a 3.1.1 publisher of QoS &gt; 0 is then
   * not acknowledged, so it retries after reconnecting. Any other failure is answered with {@code
   * 0x80} (unspecified error) to MQTT 5 publishers.
   */
  Future<Void> route(BrokerMessage message);

  /**
   * Called once {@code message} is routed and delivered locally, before it is acknowledged, on the
   * thread that completed delivery; a message that failed an earlier step never gets here (so a
   * publish the spool refused, and that the client will retry, is not seen twice). Must not block
   * or throw.
   */
  default void delivered(BrokerMessage message) {}

  /**
   * A router that accepts everything and keeps nothing: the broker acts as a plain local broker.
   */
  PublishRouter NONE = m -> Future.succeededFuture();
}
