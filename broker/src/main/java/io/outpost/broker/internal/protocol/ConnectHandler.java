package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.BrokerOptions;
import io.outpost.broker.MessageProperties;
import io.outpost.broker.internal.metrics.ListenerCounters;
import io.outpost.broker.internal.session.Session;
import io.outpost.broker.security.AuthOutcome;
import io.outpost.broker.security.ClientPermissions;
import io.outpost.broker.security.ConnectCredentials;
import io.outpost.topic.Topics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttAuth;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles CONNECT: authentication and authorization through {@link
 * io.outpost.broker.BrokerSecurity} (the connect and will checks included), connection bound,
 * client id assignment, clean start versus session resumption, session expiry, takeover of a
 * duplicate client id, will, keep-alive negotiation and the CONNACK properties.
 */
final class ConnectHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectHandler.class);
  private static final long NEVER_EXPIRES = BrokerOptions.MQTT_MAX_SESSION_EXPIRY_SECONDS;

  private final BrokerCore core;
  private final Supplier<ListenerCounters> listenerCounters;
  private volatile ListenerCounters counters;

  /**
   * @param listenerCounters the message counters of the listener this handler serves, resolved at
   *     the first connection (the listener's port is known only once it is bound)
   */
  public ConnectHandler(BrokerCore core, Supplier<ListenerCounters> listenerCounters) {
    this.core = core;
    this.listenerCounters = listenerCounters;
  }

  private ListenerCounters counters() {
    ListenerCounters c = counters;
    if (c == null) {
      c =
          listenerCounters
              .get(); // idempotent: the same counters whichever thread resolves them first
      counters = c;
    }
    return c;
  }

  public void handle(MqttEndpoint ep) {
    boolean v5 = ep.protocolVersion() >= 5;
    if (core.stopping()) {
      reject(
          ep,
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
              : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "stopping");
      return;
    }
    if (v5
        && PropertiesMapper.stringValue(
                ep.connectProperties(), MqttProperties.AUTHENTICATION_METHOD)
            != null) {
      reject(ep, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD, "auth-method");
      return;
    }
    String id = ep.clientIdentifier();
    boolean assigned = id == null || id.isEmpty();
    if (assigned) {
      id = "outpost-" + UUID.randomUUID();
      ep.setClientIdentifier(id);
    }
    String clientId = id;
    // Password checks are slow on purpose and run off the event loop; resume on this connection's
    // context.
    Context context = Vertx.currentContext();
    AtomicBoolean gone = new AtomicBoolean();
    ep.closeHandler(v -> gone.set(true));
    Future.fromCompletionStage(core.security().authenticate(credentials(ep, clientId)), context)
        .onComplete(
            ar -> {
              if (gone.get()) {
                return;
              }
              if (ar.failed()) {
                LOG.warn("authenticating {} failed", clientId, ar.cause());
                reject(
                    ep,
                    v5
                        ? MqttConnectReturnCode.CONNECTION_REFUSED_UNSPECIFIED_ERROR
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
                    "auth-error");
              } else if (!ar.result().accepted()) {
                AuthOutcome.Result r = ar.result().result();
                reject(
                    ep,
                    MqttConnectReturnCode.valueOf(
                        (byte) (v5 ? r.mqtt5ReasonCode() : r.mqtt3ReturnCode())),
                    "auth-" + r.key());
              } else {
                admit(ep, v5, clientId, assigned, ar.result().permissions());
              }
            });
  }

  /** What the client presented, for the security seam. */
  private static ConnectCredentials credentials(MqttEndpoint ep, String clientId) {
    MqttAuth auth = ep.auth();
    MqttWill w = ep.will();
    return new ConnectCredentials(
        clientId,
        auth == null ? null : auth.getUsername(),
        auth == null || auth.getPassword() == null
            ? null
            : auth.getPassword().getBytes(StandardCharsets.UTF_8),
        ep.isSsl() ? ConnectCredentials.peerCertificates(ep.sslSession()) : List.of(),
        w != null && w.isWillFlag() ? w.getWillTopic() : null);
  }

  /** CONNECT after authentication: bounds, will, session and CONNACK. */
  private void admit(
      MqttEndpoint ep,
      boolean v5,
      String clientId,
      boolean assigned,
      ClientPermissions permissions) {
    BrokerOptions options = core.options();
    if (core.stopping()) {
      reject(
          ep,
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
              : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "stopping");
      return;
    }
    if (!core.connections().containsKey(clientId)
        && core.connections().size() >= options.maxConnections()) {
      reject(
          ep,
          v5
              ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
              : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
          "max-connections");
      return;
    }
    MqttProperties cp = ep.connectProperties();
    BrokerMessage will = null;
    long willDelay = 0;
    MqttWill w = ep.will();
    if (w != null && w.isWillFlag()) {
      if (!Topics.isValidName(w.getWillTopic())) {
        reject(
            ep,
            v5
                ? MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID
                : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE,
            "invalid-will-topic");
        return;
      }
      MqttProperties wp = w.getWillProperties();
      MessageProperties props = v5 ? PropertiesMapper.fromMqtt(wp) : MessageProperties.NONE;
      will =
          new BrokerMessage(
              w.getWillTopic(),
              w.getWillMessage() == null
                  ? io.vertx.core.buffer.Buffer.buffer()
                  : w.getWillMessage(),
              Math.min(w.getWillQos(), 2),
              w.isWillRetain(),
              props,
              clientId,
              0L);
      Integer delay = v5 ? PropertiesMapper.intValue(wp, MqttProperties.WILL_DELAY_INTERVAL) : null;
      willDelay = delay == null ? 0 : Integer.toUnsignedLong(delay);
    }

    long requested = requestedExpiry(ep, v5, cp);
    long expiry = Math.min(requested, options.maxSessionExpirySeconds());
    int clientReceiveMax =
        valueOr(PropertiesMapper.intValue(cp, MqttProperties.RECEIVE_MAXIMUM), 65_535);
    int outboundWindow = Math.min(options.maxInflight(), clientReceiveMax);
    Integer clientMaxPacket = PropertiesMapper.intValue(cp, MqttProperties.MAXIMUM_PACKET_SIZE);
    long maxOutbound =
        clientMaxPacket == null ? Long.MAX_VALUE : Integer.toUnsignedLong(clientMaxPacket);
    int keepAlive = ep.keepAliveTimeSeconds();
    Integer serverKeepAlive = null;
    int maxKeepAlive = options.maxKeepAliveSeconds();
    if (maxKeepAlive > 0 && (keepAlive == 0 || keepAlive > maxKeepAlive)) {
      // MQTT 5 clients are told (Server Keep Alive); 3.1.1 has no way to tell, but a silent
      // connection is
      // still reaped after 1.5 x maxKeepAliveSeconds so half-open sockets cannot pile up
      serverKeepAlive = v5 ? maxKeepAlive : null;
      keepAlive = maxKeepAlive;
    }

    boolean present = true;
    Session session = core.sessions().get(clientId);
    if (session != null && !session.online() && expired(session)) {
      discard(session);
      session = null;
    }
    if (ep.isCleanSession() || session == null) {
      if (session != null) {
        discard(session);
      }
      session = new Session(clientId, expiry, core.sessionSettings());
      core.sessions().put(session);
      present = false;
    } else {
      session.expirySeconds(expiry);
    }
    if (session.persistent()) {
      core.persistence()
          .saveSession(clientId, expiry, core.clock().millis())
          .onFailure(e -> core.metrics().storeError());
    }
    Integer problemInfo = PropertiesMapper.intValue(cp, MqttProperties.REQUEST_PROBLEM_INFORMATION);
    ConnectionSettings settings =
        new ConnectionSettings(
            ep.protocolVersion(),
            keepAlive,
            maxOutbound,
            will,
            willDelay,
            problemInfo == null || problemInfo != 0,
            options.receiveMaximum(),
            options.topicAliasMaximum());
    Connection connection =
        new Connection(core, ep, Vertx.currentContext(), session, settings, counters());
    connection.permissions(permissions);
    Connection previous = core.connections().put(clientId, connection);
    // after the registry holds this connection: a previous connection closing at the same moment on
    // another
    // event loop either scheduled its delayed will before this cancel, or sees this connection when
    // it checks
    // the registry right after scheduling (Connection.onClosed), so a reconnect always cancels the
    // will
    core.wills().cancel(clientId);
    connection.registerHandlers();
    ConnectionLog.connected(
        clientId, String.valueOf(ep.remoteAddress()), ep.protocolVersion(), present);
    ep.accept(
        present,
        v5
            ? connackProperties(
                options,
                assigned ? clientId : null,
                serverKeepAlive,
                requested != expiry ? expiry : null)
            : MqttProperties.NO_PROPERTIES);
    // attach before closing the old connection, so its detach finds the session already moved on
    session.attach(connection, outboundWindow);
    if (previous != null) {
      previous.takenOver();
    }
  }

  private long requestedExpiry(MqttEndpoint ep, boolean v5, MqttProperties cp) {
    if (!v5) {
      return ep.isCleanSession() ? 0 : NEVER_EXPIRES;
    }
    Integer e = PropertiesMapper.intValue(cp, MqttProperties.SESSION_EXPIRY_INTERVAL);
    return e == null ? 0 : Integer.toUnsignedLong(e);
  }

  private boolean expired(Session s) {
    return s.expirySeconds() != NEVER_EXPIRES
        && s.disconnectedAtMillis() + s.expirySeconds() * 1000L <= core.clock().millis();
  }

  private void discard(Session s) {
    core.sessions().remove(s);
    s.discard();
    core.persistence().deleteSession(s.clientId()).onFailure(e -> core.metrics().storeError());
  }

  private static MqttProperties connackProperties(
      BrokerOptions o, String assignedId, Integer serverKeepAlive, Long expiry) {
    MqttProperties p = new MqttProperties();
    p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, o.receiveMaximum()));
    p.add(
        new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, o.maxPacketBytes()));
    p.add(
        new MqttProperties.IntegerProperty(
            MqttProperties.TOPIC_ALIAS_MAXIMUM, o.topicAliasMaximum()));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 1));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
    p.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 1));
    if (assignedId != null) {
      p.add(
          new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, assignedId));
    }
    if (serverKeepAlive != null) {
      p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, serverKeepAlive));
    }
    if (expiry != null) {
      p.add(
          new MqttProperties.IntegerProperty(
              MqttProperties.SESSION_EXPIRY_INTERVAL, (int) (long) expiry));
    }
    return p;
  }

  private void reject(MqttEndpoint ep, MqttConnectReturnCode code, String reason) {
    core.metrics().connectionRejected(reason);
    ConnectionLog.connectRefused(
        ep.clientIdentifier(), String.valueOf(ep.remoteAddress()), ep.protocolVersion(), reason);
    ep.reject(code);
  }

  private static int valueOr(Integer v, int fallback) {
    return v == null ? fallback : v;
  }
}
