package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.ClientInfo;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.broker.internal.metrics.ListenerCounters;
import io.outpost.broker.internal.session.OutboundMessage;
import io.outpost.broker.internal.session.Session;
import io.outpost.broker.internal.session.SessionLink;
import io.outpost.broker.security.ClientPermissions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttDisconnectMessage;
import io.vertx.mqtt.messages.MqttPubRecMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRelReasonCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted MQTT connection: owns the endpoint, dispatches incoming packets to {@link
 * InboundPublishes} and {@link SubscribeHandler}, writes outgoing packets for its {@link Session},
 * and cleans up (session detach, will) when the connection ends. All handlers run on the
 * connection's event loop.
 */
public final class Connection implements SessionLink {

  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  /**
   * How long a publisher is not read from when a connected subscriber of its messages falls behind.
   */
  static final Duration THROTTLE_PAUSE = Duration.ofMillis(10);

  private final BrokerCore core;
  private final MqttEndpoint endpoint;
  private final Context context;
  private final Session session;
  private final ConnectionSettings settings;
  private final Instant connectedAt;
  private final String remoteAddress;
  private final InboundPublishes inbound;
  private final SubscribeHandler subscriptions;
  private final ListenerCounters listenerCounters;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final java.util.Queue<Runnable> writes =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final AtomicBoolean writeScheduled = new AtomicBoolean();
  private final AtomicBoolean throttled = new AtomicBoolean();
  private final java.util.concurrent.atomic.AtomicInteger unflushed =
      new java.util.concurrent.atomic.AtomicInteger();

  /**
   * Writes PUBLISHes without copies, one flush per {@link #flushWrites()} batch; {@code null} if
   * unavailable (or not yet set: {@link #throttle()} reads it from other threads).
   */
  private volatile EndpointSocket socket;

  private volatile long lastActivityMillis;
  private volatile boolean willCleared;
  private volatile boolean takenOver;

  /** Why the connection ended, for the disconnect log line; {@code null} until known. */
  private volatile String closeReason;

  private volatile ClientPermissions permissions = ClientPermissions.ALL;

  /** Aliases of the topics sent to this client; looked up on the event loop only. */
  private volatile OutboundTopicAliases topicAliases = OutboundTopicAliases.none();

  Connection(
      BrokerCore core,
      MqttEndpoint endpoint,
      Context context,
      Session session,
      ConnectionSettings settings,
      ListenerCounters listenerCounters) {
    this.core = core;
    this.listenerCounters = listenerCounters;
    this.endpoint = endpoint;
    this.context = context;
    this.session = session;
    this.settings = settings;
    this.connectedAt = core.clock().instant();
    this.remoteAddress = String.valueOf(endpoint.remoteAddress());
    this.lastActivityMillis = core.clock().millis();
    this.inbound = new InboundPublishes(core, this);
    this.subscriptions = new SubscribeHandler(core, this);
  }

  /** What this client may publish and subscribe to, as decided at CONNECT. */
  ClientPermissions permissions() {
    return permissions;
  }

  void permissions(ClientPermissions granted) {
    this.permissions = granted;
  }

  void registerHandlers() {
    socket = EndpointSocket.attach(endpoint);
    if (settings.v5() && core.options().outboundTopicAliases()) {
      Integer clientMaximum =
          PropertiesMapper.intValue(
              endpoint.connectProperties(), MqttProperties.TOPIC_ALIAS_MAXIMUM);
      if (clientMaximum != null && clientMaximum > 0) {
        topicAliases = new OutboundTopicAliases(clientMaximum);
      }
    }
    endpoint.publishAutoAck(false);
    endpoint.subscriptionAutoAck(false);
    endpoint.autoKeepAlive(true);
    endpoint.publishHandler(
        m -> {
          touch();
          inbound.onPublish(m);
        });
    endpoint.publishReleaseHandler(
        id -> {
          touch();
          inbound.onPubrel(id);
        });
    endpoint.publishAcknowledgeHandler(
        id -> {
          touch();
          session.onPuback(id);
        });
    endpoint.publishReceivedMessageHandler(this::onPubrec);
    endpoint.publishCompletionHandler(
        id -> {
          touch();
          session.onPubcomp(id);
        });
    endpoint.subscribeHandler(
        m -> {
          touch();
          subscriptions.onSubscribe(m);
        });
    endpoint.unsubscribeHandler(
        m -> {
          touch();
          subscriptions.onUnsubscribe(m);
        });
    endpoint.pingHandler(v -> touch());
    endpoint.disconnectMessageHandler(this::onDisconnect);
    endpoint.exceptionHandler(this::onException);
    endpoint.closeHandler(v -> onClosed());
    core.metrics().connections().incrementAndGet();
  }

  /**
   * Queues a PUBLISH for this connection. Called from any thread with the session lock held, so it
   * never touches the endpoint directly (vertx-mqtt locks each connection; writing from a foreign
   * thread could deadlock): the write runs on this connection's event loop, in call order.
   */
  @Override
  public SendResult publish(OutboundMessage out, boolean dup) {
    if (closed.get()) {
      return SendResult.CLOSED;
    }
    BrokerMessage m = out.message();
    Long remaining = null;
    if (m.props().messageExpirySeconds() != null) {
      long left = m.expiresAtMillis() - core.clock().millis();
      if (left <= 0) {
        core.metrics().dropped(BrokerMetrics.DROP_EXPIRED);
        return SendResult.DISCARD;
      }
      remaining = (left + 999) / 1000;
    }
    MqttProperties props =
        settings.v5()
            ? PropertiesMapper.toMqtt(m.props(), remaining, out.subscriptionIds())
            : MqttProperties.NO_PROPERTIES;
    if (settings.maxOutboundPacketBytes() < Long.MAX_VALUE
        && PacketSize.publish(m, out.qos(), props) + topicAliases.maxExtraBytes()
            > settings.maxOutboundPacketBytes()) {
      core.metrics().dropped(BrokerMetrics.DROP_PACKET_TOO_LARGE);
      return SendResult.DISCARD;
    }
    int qos = out.qos();
    if (qos == 0) {
      // QoS 0 has no in-flight window: bound what waits unflushed for a slow reader instead, and
      // slow the
      // publisher down from half that bound on, so the broker does not spend its CPU on messages it
      // drops
      int waiting = unflushed.get();
      int bound = core.options().maxQueuedMessages();
      if (bound > 0 && waiting >= bound / 2) {
        // one pause only: what a slow reader cannot take at QoS 0 is dropped, not held for
        core.throttlePublisherOf(m, () -> false);
      }
      if (waiting >= bound) {
        core.metrics().dropped(BrokerMetrics.DROP_SLOW_CONSUMER);
        return SendResult.DISCARD;
      }
    }
    int packetId = qos == 0 ? 0 : out.packetId();
    boolean retain = out.retainFlag();
    unflushed.incrementAndGet();
    write(
        () -> {
          EndpointSocket s = socket;
          Future<?> written =
              s != null
                  ? publishAliased(s, m, qos, dup, retain, packetId, props)
                  : endpoint.publish(
                      m.topic(), m.payload(), MqttQoS.valueOf(qos), dup, retain, packetId, props);
          written.onComplete(
              ar -> {
                unflushed.decrementAndGet();
                if (ar.failed()) {
                  disconnect(
                      MqttDisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, "write failed");
                }
              });
          core.metrics().delivered();
          listenerCounters.sent().increment();
        });
    return SendResult.SENT;
  }

  /**
   * Writes a PUBLISH with this connection's topic alias for its topic, if any: the topic name and
   * the alias the first time, an empty topic name and the alias after. Runs on the event loop, in
   * write order.
   */
  private Future<Void> publishAliased(
      EndpointSocket s,
      BrokerMessage m,
      int qos,
      boolean dup,
      boolean retain,
      int packetId,
      MqttProperties props) {
    OutboundTopicAliases.Lookup alias = topicAliases.lookup(m.topic());
    if (alias.alias() == 0) {
      return s.publish(m.topic(), m.payload(), qos, dup, retain, packetId, props);
    }
    if (alias.known()) {
      core.metrics().topicAliasHit();
    }
    return s.publish(
        alias.known() ? "" : m.topic(),
        m.payload(),
        qos,
        dup,
        retain,
        packetId,
        alias.addTo(props));
  }

  /**
   * Stops reading from this client, unless already paused: TCP backpressure on a client whose
   * messages a connected subscriber cannot take as fast as they come (half its queue, or for QoS 0
   * half the unflushed bound, used). The pause lasts {@link #THROTTLE_PAUSE} and is renewed while
   * {@code subscriberBehind} holds (that subscriber's backlog is still three quarters of its bound
   * or more), for up to {@code broker.publisherHoldMillis} in a row: a publisher whose messages
   * reach the subscriber late (after a durable commit) keeps being held until the subscriber caught
   * up, instead of refilling its queue each time a short pause ends. Bounded in time, so a client
   * that subscribes to its own messages cannot stall itself for long, and a stuck subscriber only
   * slows publishers down until keep-alive closes it.
   */
  void throttle(BooleanSupplier subscriberBehind) {
    EndpointSocket s = socket;
    if (s == null || closed.get() || !throttled.compareAndSet(false, true)) {
      return;
    }
    core.metrics().publisherThrottled();
    runOnContext(
        () -> {
          if (closed.get()) {
            throttled.set(false);
            return;
          }
          s.pause();
          holdPaused(s, subscriberBehind, 1);
        });
  }

  private void holdPaused(EndpointSocket s, BooleanSupplier subscriberBehind, int pauses) {
    core.vertx()
        .setTimer(
            THROTTLE_PAUSE.toMillis(),
            t -> {
              if (!closed.get()
                  && (long) (pauses + 1) * THROTTLE_PAUSE.toMillis()
                      <= core.options().publisherHoldMillis()
                  && subscriberBehind.getAsBoolean()) {
                holdPaused(s, subscriberBehind, pauses + 1);
                return;
              }
              throttled.set(false);
              if (!closed.get()) {
                s.resume();
              }
            });
  }

  @Override
  public void pubrel(int packetId) {
    if (!closed.get()) {
      write(() -> endpoint.publishRelease(packetId));
    }
  }

  private void write(Runnable write) {
    writes.add(write);
    if (writeScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> flushWrites());
    }
  }

  private void flushWrites() {
    writeScheduled.set(false);
    EndpointSocket batch = socket;
    if (batch == null) {
      writeQueued();
      return;
    }
    batch.hold();
    try {
      writeQueued();
    } finally {
      batch.release();
    }
  }

  private void writeQueued() {
    Runnable w;
    while ((w = writes.poll()) != null) {
      if (closed.get()) {
        writes.clear();
        return;
      }
      try {
        w.run();
      } catch (IllegalArgumentException | IllegalStateException e) {
        // vertx-mqtt throws these once the connection is closed; unacknowledged messages stay in
        // the
        // session and are resent on the next connection
        LOG.debug("write to {} dropped, connection closing", clientId(), e);
        writes.clear();
        return;
      }
    }
  }

  private void onPubrec(MqttPubRecMessage m) {
    touch();
    if (!session.onPubrec(m.messageId(), m.code().isError()) && settings.v5()) {
      endpoint.publishRelease(
          m.messageId(),
          MqttPubRelReasonCode.PACKET_IDENTIFIER_NOT_FOUND,
          MqttProperties.NO_PROPERTIES);
    }
  }

  private void onDisconnect(MqttDisconnectMessage m) {
    closeReason =
        m.code() == MqttDisconnectReasonCode.NORMAL
            ? "client sent DISCONNECT"
            : "client sent DISCONNECT "
                + m.code().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    willCleared = m.code() != MqttDisconnectReasonCode.WITH_WILL_MESSAGE;
    Integer expiry =
        PropertiesMapper.intValue(m.properties(), MqttProperties.SESSION_EXPIRY_INTERVAL);
    if (settings.v5() && expiry != null) {
      long requested = Integer.toUnsignedLong(expiry);
      if (session.expirySeconds() == 0 && requested > 0) {
        // MQTT 5 §3.14.2.2.2: raising a zero expiry at DISCONNECT is a protocol error
        willCleared = false;
        protocolError(MqttDisconnectReasonCode.PROTOCOL_ERROR, "session expiry raised from 0");
        return;
      }
      session.expirySeconds(Math.min(requested, core.options().maxSessionExpirySeconds()));
    }
  }

  private void onException(Throwable t) {
    boolean tooLarge =
        t instanceof TooLongFrameException
            || t.getCause() instanceof TooLongFrameException
            || String.valueOf(t.getMessage()).contains("too large");
    if (tooLarge) {
      ConnectionLog.packetTooLarge(
          clientId(), remoteAddress, settings.protocolVersion(), core.options().maxPacketBytes());
      protocolError(MqttDisconnectReasonCode.PACKET_TOO_LARGE, "packet too large");
    } else {
      protocolError(MqttDisconnectReasonCode.MALFORMED_PACKET, "malformed packet");
    }
    LOG.debug("closing {} after bad input", clientId(), t);
  }

  /**
   * Closes the connection for bad input with {@code code} (sent as DISCONNECT to MQTT 5 clients).
   */
  void protocolError(MqttDisconnectReasonCode code, String reason) {
    core.metrics().protocolError(code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    disconnect(code, reason);
  }

  /**
   * Sends DISCONNECT with {@code code} (MQTT 5 only) and closes; safe to call on a closed
   * connection. The session is detached right away rather than on the socket's close event, which
   * Vert.x does not deliver for a socket that was reset while its CONNECT was still being handled.
   */
  public void disconnect(MqttDisconnectReasonCode code, String reason) {
    if (io.vertx.core.Vertx.currentContext() != context) {
      context.runOnContext(v -> disconnect(code, reason));
      return;
    }
    if (closed.get()) {
      return;
    }
    if (closeReason == null) {
      closeReason = "closed by the broker: " + reason;
    }
    try {
      if (settings.v5()) {
        endpoint.disconnect(code, PropertiesMapper.reason(reason));
      } else {
        endpoint.close();
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      LOG.debug("connection of {} already closed", clientId(), e);
    }
    onClosed();
  }

  /** Another connection took this client id over (DISCONNECT 0x8E). */
  void takenOver() {
    takenOver = true;
    context.runOnContext(
        v -> disconnect(MqttDisconnectReasonCode.SESSION_TAKEN_OVER, "session taken over"));
  }

  private void onClosed() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    core.connections().remove(clientId(), this);
    core.metrics().connections().decrementAndGet();
    ConnectionLog.disconnected(
        clientId(),
        remoteAddress,
        settings.protocolVersion(),
        closeReason != null ? closeReason : "connection lost (closed without DISCONNECT)");
    BrokerMessage will = settings.will();
    if (will != null && !willCleared && !core.stopping()) {
      long delay = Math.min(settings.willDelaySeconds(), session.expirySeconds());
      if (!takenOver || delay == 0) {
        core.wills().schedule(clientId(), will, delay);
        Connection current = core.connections().get(clientId());
        if (delay > 0 && current != null && current != this) {
          core.wills().cancel(clientId()); // the client reconnected while this one was closing
        }
      }
    }
    Future<Void> detached = session.detach(this);
    if (detached == null) {
      return; // a newer connection owns the session
    }
    if (!session.persistent()) {
      if (!session.online()) { // not resumed meanwhile by a new connection
        core.sessions().remove(session);
        session.clear();
      }
    } else {
      core.trackWrite(
          core.persistence()
              .saveSession(clientId(), session.expirySeconds(), session.disconnectedAtMillis())
              .onFailure(e -> core.metrics().storeError()));
      core.trackWrite(detached);
      detached.onFailure(e -> LOG.warn("could not persist session of {}", clientId(), e));
    }
  }

  private void touch() {
    lastActivityMillis = core.clock().millis();
  }

  /** Whether the client has been silent longer than 1.5 times its keep-alive. */
  public boolean keepAliveExpiredAt(long nowMillis) {
    int keepAlive = settings.keepAliveSeconds();
    return keepAlive > 0 && nowMillis - lastActivityMillis > keepAlive * 1500L;
  }

  /**
   * Closes the connection for keep-alive timeout (MQTT 5: DISCONNECT 0x8D); the will is published.
   */
  public void keepAliveTimeout() {
    runOnContext(
        () -> protocolError(MqttDisconnectReasonCode.KEEP_ALIVE_TIMEOUT, "keep alive timeout"));
  }

  /** Runs {@code action} on this connection's event loop. */
  void runOnContext(Runnable action) {
    if (io.vertx.core.Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  public ClientInfo info() {
    return new ClientInfo(
        clientId(),
        settings.protocolVersion(),
        remoteAddress,
        connectedAt,
        session.subscriptions().size(),
        session.inflightCount(),
        session.queuedCount());
  }

  public String clientId() {
    return session.clientId();
  }

  MqttEndpoint endpoint() {
    return endpoint;
  }

  Session session() {
    return session;
  }

  /** Message counters of the listener this client connected to. */
  ListenerCounters listenerCounters() {
    return listenerCounters;
  }

  ConnectionSettings settings() {
    return settings;
  }

  /** The client's address as {@code host:port}, for log lines. */
  String remoteAddress() {
    return remoteAddress;
  }

  boolean isClosed() {
    return closed.get();
  }

  /** UTF-8 length helper for packet size estimates. */
  static int utf8Length(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
