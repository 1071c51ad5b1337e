package io.outpost.broker;

import io.vertx.core.Future;

/**
 * The one seam between the broker and the rest of the daemon: every PUBLISH accepted from a client (and every will
 * message the broker fires) is handed to the router <em>before</em> the broker acknowledges it.
 *
 * <p>The broker delivers to its own local subscribers itself; the router is for everything else (the cloud spool,
 * local functions). Implementations must not block: they are called on an event loop.
 */
@FunctionalInterface
public interface PublishRouter {

    /**
     * Routes {@code message}. The returned future completes when every durable consumer (e.g. the cloud spool) has the
     * message; only then does the broker send PUBACK/PUBREC and deliver to local subscribers. Fail it with
     * {@link RouteRejectedException} to answer an MQTT 5 publisher with that reason code (e.g. {@code 0x97} quota
     * exceeded); a 3.1.1 publisher of QoS &gt; 0 is then not acknowledged, so it retries after reconnecting. Any other
     * failure is answered with {@code 0x80} (unspecified error) to MQTT 5 publishers.
     */
    Future<Void> route(BrokerMessage message);

    /** A router that accepts everything and keeps nothing: the broker acts as a plain local broker. */
    PublishRouter NONE = m -> Future.succeededFuture();
}
