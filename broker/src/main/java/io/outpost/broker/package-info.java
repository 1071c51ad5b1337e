/**
 * The local MQTT 3.1.1/5.0 broker devices connect to.
 *
 * <p>Public face: {@link io.outpost.broker.MqttBroker}, its options ({@link
 * io.outpost.broker.BrokerOptions}), the routing seam ({@link io.outpost.broker.PublishRouter}) and
 * the message model; device security in {@code io.outpost.broker.security}. Topic rules and the
 * subscription tree come from {@code io.outpost.topic} (module {@code mqtt-topics}), shared with
 * the daemon's routes and the local functions. Internals, not exported by the module, by concern
 * under {@code io.outpost.broker.internal}:
 *
 * <ul>
 *   <li>{@code protocol} - one {@code Connection} per client on top of vertx-mqtt: CONNECT, inbound
 *       PUBLISH/PUBREL, SUBSCRIBE, wills, keep-alive;
 *   <li>{@code session} - session state (in-flight window, queue, QoS 2 ids), fan-out, retained
 *       messages;
 *   <li>{@code store} - the SQLite file {@code broker.db}, written by one worker thread with group
 *       commit;
 *   <li>{@code metrics} - the {@code outpost.broker.*} meters.
 * </ul>
 *
 * <p>Threading: each connection lives on one event loop (the broker deploys {@code instances}
 * listener verticles sharing the ports). A publisher's event loop matches subscriptions and hands
 * messages to the subscribers' sessions; a session never writes to a socket from a foreign thread
 * but queues the write onto its connection's event loop (vertx-mqtt locks per connection, so
 * cross-thread writes could deadlock). Store I/O never runs on an event loop.
 *
 * <p>Hot path: a message's payload is one buffer shared by every subscriber's PUBLISH (no copy per
 * subscriber; the only copy is Netty's encoding into the socket buffer), the PUBLISHes queued for
 * one connection are written as one batch with one flush ({@code protocol.EndpointSocket}, {@code
 * protocol.FlushBatch}), and meters are resolved once per connection, never looked up per message.
 *
 * <p>Durability: a client's QoS 1/2 publish is acknowledged only after the {@code PublishRouter}
 * has it, its retained copy is committed, and it is committed in every offline persistent session
 * it was queued for (SQLite WAL, {@code synchronous=FULL}). Messages in flight to connected clients
 * are held in memory and written when the client disconnects or the broker stops; a crash loses
 * those (their publishers were already acknowledged).
 */
package io.outpost.broker;
