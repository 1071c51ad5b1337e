package io.outpost.gateway.broker.protocol;

import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.outpost.gateway.broker.BrokerMessage;
import io.outpost.gateway.broker.BrokerOptions;
import io.outpost.gateway.broker.MessageProperties;
import io.outpost.gateway.broker.session.Session;
import io.outpost.gateway.broker.topic.Topics;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttWill;
import java.util.UUID;

/**
 * Handles CONNECT: connection bound, client id assignment, clean start versus session resumption, session expiry,
 * takeover of a duplicate client id, will, keep-alive negotiation and the CONNACK properties.
 */
public final class ConnectHandler {

    private static final long NEVER_EXPIRES = BrokerOptions.MQTT_MAX_SESSION_EXPIRY_SECONDS;

    private final BrokerCore core;

    public ConnectHandler(BrokerCore core) {
        this.core = core;
    }

    public void handle(MqttEndpoint ep) {
        boolean v5 = ep.protocolVersion() >= 5;
        BrokerOptions options = core.options();
        if (core.stopping()) {
            reject(ep, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE_5
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "stopping");
            return;
        }
        if (v5 && PropertiesMapper.stringValue(ep.connectProperties(), MqttProperties.AUTHENTICATION_METHOD) != null) {
            reject(ep, MqttConnectReturnCode.CONNECTION_REFUSED_BAD_AUTHENTICATION_METHOD, "auth-method");
            return;
        }
        String clientId = ep.clientIdentifier();
        boolean assigned = clientId == null || clientId.isEmpty();
        if (assigned) {
            clientId = "outpost-" + UUID.randomUUID();
            ep.setClientIdentifier(clientId);
        }
        if (!core.connections().containsKey(clientId) && core.connections().size() >= options.maxConnections()) {
            reject(ep, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_QUOTA_EXCEEDED
                    : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "max-connections");
            return;
        }
        MqttProperties cp = ep.connectProperties();
        BrokerMessage will = null;
        long willDelay = 0;
        MqttWill w = ep.will();
        if (w != null && w.isWillFlag()) {
            if (!Topics.isValidName(w.getWillTopic())) {
                reject(ep, v5 ? MqttConnectReturnCode.CONNECTION_REFUSED_TOPIC_NAME_INVALID
                        : MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_UNAVAILABLE, "invalid-will-topic");
                return;
            }
            MqttProperties wp = w.getWillProperties();
            MessageProperties props = v5 ? PropertiesMapper.fromMqtt(wp) : MessageProperties.NONE;
            will = new BrokerMessage(w.getWillTopic(), w.getWillMessage() == null ? io.vertx.core.buffer.Buffer.buffer()
                    : w.getWillMessage(), Math.min(w.getWillQos(), 2), w.isWillRetain(), props, clientId, 0L);
            Integer delay = v5 ? PropertiesMapper.intValue(wp, MqttProperties.WILL_DELAY_INTERVAL) : null;
            willDelay = delay == null ? 0 : Integer.toUnsignedLong(delay);
        }

        long requested = requestedExpiry(ep, v5, cp);
        long expiry = Math.min(requested, options.maxSessionExpirySeconds());
        int clientReceiveMax = valueOr(PropertiesMapper.intValue(cp, MqttProperties.RECEIVE_MAXIMUM), 65_535);
        int outboundWindow = Math.min(options.maxInflight(), clientReceiveMax);
        Integer clientMaxPacket = PropertiesMapper.intValue(cp, MqttProperties.MAXIMUM_PACKET_SIZE);
        long maxOutbound = clientMaxPacket == null ? Long.MAX_VALUE : Integer.toUnsignedLong(clientMaxPacket);
        int keepAlive = ep.keepAliveTimeSeconds();
        Integer serverKeepAlive = null;
        int maxKeepAlive = options.maxKeepAliveSeconds();
        if (maxKeepAlive > 0 && (keepAlive == 0 || keepAlive > maxKeepAlive)) {
            // MQTT 5 clients are told (Server Keep Alive); 3.1.1 has no way to tell, but a silent connection is
            // still reaped after 1.5 x maxKeepAliveSeconds so half-open sockets cannot pile up
            serverKeepAlive = v5 ? maxKeepAlive : null;
            keepAlive = maxKeepAlive;
        }

        core.wills().cancel(clientId);
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
            core.persistence().saveSession(clientId, expiry, core.clock().millis())
                    .onFailure(e -> core.metrics().storeError());
        }
        Integer problemInfo = PropertiesMapper.intValue(cp, MqttProperties.REQUEST_PROBLEM_INFORMATION);
        ConnectionSettings settings = new ConnectionSettings(ep.protocolVersion(), keepAlive, maxOutbound, will,
                willDelay, problemInfo == null || problemInfo != 0);
        Connection connection = new Connection(core, ep, Vertx.currentContext(), session, settings);
        Connection previous = core.connections().put(clientId, connection);
        connection.registerHandlers();
        ep.accept(present, v5 ? connackProperties(assigned ? clientId : null, serverKeepAlive,
                requested != expiry ? expiry : null) : MqttProperties.NO_PROPERTIES);
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

    private MqttProperties connackProperties(String assignedId, Integer serverKeepAlive, Long expiry) {
        BrokerOptions o = core.options();
        MqttProperties p = new MqttProperties();
        p.add(new MqttProperties.IntegerProperty(MqttProperties.RECEIVE_MAXIMUM, o.receiveMaximum()));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.MAXIMUM_PACKET_SIZE, o.maxPacketBytes()));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS_MAXIMUM, o.topicAliasMaximum()));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.RETAIN_AVAILABLE, 1));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
        p.add(new MqttProperties.IntegerProperty(MqttProperties.SHARED_SUBSCRIPTION_AVAILABLE, 1));
        if (assignedId != null) {
            p.add(new MqttProperties.StringProperty(MqttProperties.ASSIGNED_CLIENT_IDENTIFIER, assignedId));
        }
        if (serverKeepAlive != null) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SERVER_KEEP_ALIVE, serverKeepAlive));
        }
        if (expiry != null) {
            p.add(new MqttProperties.IntegerProperty(MqttProperties.SESSION_EXPIRY_INTERVAL, (int) (long) expiry));
        }
        return p;
    }

    private void reject(MqttEndpoint ep, MqttConnectReturnCode code, String reason) {
        core.metrics().connectionRejected(reason);
        ep.reject(code);
    }

    private static int valueOr(Integer v, int fallback) {
        return v == null ? fallback : v;
    }
}
