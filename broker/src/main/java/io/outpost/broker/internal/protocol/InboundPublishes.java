package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageProperties;
import io.outpost.broker.MessageSource;
import io.outpost.broker.RouteRejectedException;
import io.outpost.topic.Topics;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubCompReasonCode;
import io.vertx.mqtt.messages.codes.MqttPubRecReasonCode;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming PUBLISH/PUBREL of one connection: topic aliases, validation, receive-maximum flow
 * control, QoS 2 duplicate suppression, and acknowledgements sent strictly in arrival order only
 * after the message is routed and delivered. Runs on the connection's event loop.
 */
final class InboundPublishes {

  private static final Logger LOG = LoggerFactory.getLogger(InboundPublishes.class);

  private final BrokerCore core;
  private final Connection connection;
  private final Map<Integer, String> aliases = new HashMap<>();
  private final ArrayDeque<PendingAck> pending = new ArrayDeque<>();
  private int unacknowledged;

  InboundPublishes(BrokerCore core, Connection connection) {
    this.core = core;
    this.connection = connection;
  }

  void onPublish(MqttPublishMessage msg) {
    boolean v5 = connection.settings().v5();
    String topic = msg.topicName();
    MqttProperties props = msg.properties();
    if (v5) {
      Integer alias = PropertiesMapper.intValue(props, MqttProperties.TOPIC_ALIAS);
      if (alias != null) {
        if (alias == 0 || alias > connection.settings().topicAliasMaximum()) {
          connection.protocolError(
              MqttDisconnectReasonCode.TOPIC_ALIAS_INVALID, "topic alias invalid");
          return;
        }
        if (topic == null || topic.isEmpty()) {
          topic = aliases.get(alias);
          if (topic == null) {
            connection.protocolError(
                MqttDisconnectReasonCode.PROTOCOL_ERROR, "unknown topic alias");
            return;
          }
        } else {
          aliases.put(alias, topic);
        }
      }
    }
    if (!Topics.isValidName(topic)) {
      connection.protocolError(MqttDisconnectReasonCode.TOPIC_NAME_INVALID, "invalid topic name");
      return;
    }
    int qos = msg.qosLevel().value();
    if (qos > 2) {
      connection.protocolError(MqttDisconnectReasonCode.MALFORMED_PACKET, "invalid QoS");
      return;
    }
    int packetId = msg.messageId();
    if (!core.security().mayPublish(connection.permissions(), topic)) {
      refuseUnauthorized(qos, packetId, v5, topic);
      return;
    }
    if (qos == 2) {
      Boolean state = connection.session().inboundQos2Begin(packetId);
      if (Boolean.TRUE.equals(state)) {
        connection.endpoint().publishReceived(packetId); // duplicate of a received message
        return;
      }
      if (Boolean.FALSE.equals(state)) {
        return; // duplicate of a message still being routed; its PUBREC follows
      }
    }
    if (qos > 0 && ++unacknowledged > connection.settings().receiveMaximum() && v5) {
      connection.protocolError(
          MqttDisconnectReasonCode.RECEIVE_MAXIMUM_EXCEEDED, "receive maximum exceeded");
      return;
    }
    core.metrics().received(qos);
    connection.listenerCounters().received().increment();
    MessageProperties mp = v5 ? PropertiesMapper.fromMqtt(props) : MessageProperties.NONE;
    BrokerMessage message =
        new BrokerMessage(
            topic,
            msg.payload(),
            qos,
            msg.isRetain(),
            mp,
            connection.clientId(),
            core.clock().millis());
    if (qos == 0) {
      // nothing to acknowledge, so no place in the acknowledgement order: only a failure needs
      // handling
      Future<Integer> accepted = core.accept(message, MessageSource.DEVICE);
      if (!accepted.succeeded()) {
        String refusedTopic = topic;
        accepted.onFailure(e -> connection.runOnContext(() -> routeFailed(e, refusedTopic)));
      }
      return;
    }
    PendingAck ack = new PendingAck(qos, packetId, topic);
    pending.add(ack);
    Future<Integer> accepted = core.accept(message, MessageSource.DEVICE);
    if (qos == 2 && connection.session().persistent()) {
      // the packet id must be durable before PUBREC, or a resend after a crash would be delivered
      // twice
      accepted =
          accepted.compose(
              n -> core.persistence().saveInboundQos2(connection.clientId(), packetId).map(n));
    }
    if (accepted.isComplete()) {
      ack.result =
          accepted; // delivered synchronously, on this event loop: acknowledge without a hop
      flush();
    } else {
      accepted.onComplete(
          ar ->
              connection.runOnContext(
                  () -> {
                    ack.result = ar;
                    flush();
                  }));
    }
  }

  /**
   * A publish the policy does not allow (already counted in {@code
   * outpost.security.denied{action=publish}}). QoS 0: dropped. MQTT 5 QoS 1/2: PUBACK/PUBREC 0x87
   * in arrival order. MQTT 3.1.1 QoS 1/2: the connection is closed, since 3.1.1 has no negative
   * acknowledgement and acknowledging a dropped message would break "nothing acknowledged is ever
   * lost".
   */
  private void refuseUnauthorized(int qos, int packetId, boolean v5, String topic) {
    if (qos == 0) {
      return;
    }
    if (!v5) {
      ConnectionLog.publishRefused(
          connection.clientId(),
          connection.remoteAddress(),
          connection.settings().protocolVersion(),
          topic,
          "not authorized; closing the connection");
      connection.disconnect(MqttDisconnectReasonCode.NOT_AUTHORIZED, "publish not authorized");
      return;
    }
    unacknowledged++; // balanced by the failed acknowledgement
    PendingAck ack = new PendingAck(qos, packetId, topic);
    ack.result = io.vertx.core.Future.failedFuture(new NotAuthorized());
    pending.add(ack);
    flush();
  }

  void onPubrel(int packetId) {
    boolean known = connection.session().inboundQos2Release(packetId);
    if (known) {
      unacknowledged = Math.max(0, unacknowledged - 1);
      if (connection.session().persistent()) {
        core.persistence()
            .deleteInboundQos2(connection.clientId(), packetId)
            .onFailure(e -> core.metrics().storeError());
      }
    }
    if (connection.isClosed()) {
      return;
    }
    if (connection.settings().v5()) {
      connection
          .endpoint()
          .publishComplete(
              packetId,
              known
                  ? MqttPubCompReasonCode.SUCCESS
                  : MqttPubCompReasonCode.PACKET_IDENTIFIER_NOT_FOUND,
              MqttProperties.NO_PROPERTIES);
    } else {
      connection.endpoint().publishComplete(packetId);
    }
  }

  /** Acknowledges completed publishes in arrival order. */
  private void flush() {
    while (!pending.isEmpty() && pending.peek().result != null) {
      PendingAck ack = pending.poll();
      if (connection.isClosed()) {
        if (ack.qos == 2) {
          connection.session().inboundQos2End(ack.packetId, ack.result.succeeded());
        }
        continue;
      }
      try {
        acknowledge(ack);
      } catch (IllegalArgumentException | IllegalStateException e) {
        LOG.debug(
            "ack {} to {} not written, connection closing", ack.packetId, connection.clientId(), e);
      }
    }
  }

  private void acknowledge(PendingAck ack) {
    MqttEndpoint ep = connection.endpoint();
    boolean v5 = connection.settings().v5();
    if (ack.result.succeeded()) {
      if (ack.qos == 1) {
        unacknowledged = Math.max(0, unacknowledged - 1);
        ep.publishAcknowledge(ack.packetId);
      } else if (ack.qos == 2) {
        connection.session().inboundQos2End(ack.packetId, true);
        ep.publishReceived(ack.packetId);
      }
      return;
    }
    Throwable cause = ack.result.cause();
    int code = routeFailed(cause, ack.topic);
    unacknowledged = Math.max(0, unacknowledged - 1);
    if (ack.qos == 2) {
      connection.session().inboundQos2End(ack.packetId, false);
    }
    if (!v5) {
      return; // MQTT 3.1.1 has no negative ack: leave it unacknowledged, the client resends on
      // reconnect
    }
    MqttProperties reason =
        connection.settings().problemInformation()
            ? PropertiesMapper.reason(cause.getMessage())
            : MqttProperties.NO_PROPERTIES;
    if (ack.qos == 1) {
      ep.publishAcknowledge(ack.packetId, pubAckCode(code), reason);
    } else {
      ep.publishReceived(ack.packetId, pubRecCode(code), reason);
    }
  }

  /** Counts and logs a publish that could not be accepted; returns its reason code. */
  private int routeFailed(Throwable cause, String topic) {
    int code = cause instanceof RouteRejectedException r ? r.reasonCode() : 0x80;
    if (!(cause instanceof NotAuthorized)) {
      core.metrics().routeRejected(code);
    }
    if (cause instanceof RouteRejectedException r) {
      if (r.dropReason() != null) {
        core.metrics().dropped(r.dropReason());
      }
      ConnectionLog.publishRefused(
          connection.clientId(),
          connection.remoteAddress(),
          connection.settings().protocolVersion(),
          topic,
          String.format("0x%02x %s", code, r.getMessage()));
    }
    if (!(cause instanceof RouteRejectedException)) {
      LOG.warn("routing a publish from {} failed", connection.clientId(), cause);
    }
    return code;
  }

  private static MqttPubAckReasonCode pubAckCode(int code) {
    try {
      return MqttPubAckReasonCode.valueOf((byte) code);
    } catch (IllegalArgumentException e) {
      return MqttPubAckReasonCode.UNSPECIFIED_ERROR;
    }
  }

  private static MqttPubRecReasonCode pubRecCode(int code) {
    try {
      return MqttPubRecReasonCode.valueOf((byte) code);
    } catch (IllegalArgumentException e) {
      return MqttPubRecReasonCode.UNSPECIFIED_ERROR;
    }
  }

  /** The authorization policy refused the publish: MQTT 5 reason code 0x87. */
  private static final class NotAuthorized extends RouteRejectedException {
    private static final long serialVersionUID = 1L;

    NotAuthorized() {
      super(0x87, "not authorized");
    }
  }

  /** An incoming publish waiting for its turn to be acknowledged. */
  private static final class PendingAck {
    final int qos;
    final int packetId;
    final String topic;
    AsyncResult<Integer> result;

    PendingAck(int qos, int packetId, String topic) {
      this.qos = qos;
      this.packetId = packetId;
      this.topic = topic;
    }
  }
}
