package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttSubscriptionOption;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.internal.session.OutboundMessage;
import io.outpost.broker.internal.session.Session;
import io.outpost.broker.internal.session.Subscription;
import io.outpost.topic.SharedFilter;
import io.outpost.topic.TopicFilter;
import io.outpost.topic.Topics;
import io.vertx.core.Future;
import io.vertx.mqtt.MqttTopicSubscription;
import io.vertx.mqtt.messages.MqttSubscribeMessage;
import io.vertx.mqtt.messages.MqttUnsubscribeMessage;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import io.vertx.mqtt.messages.codes.MqttSubAckReasonCode;
import io.vertx.mqtt.messages.codes.MqttUnsubAckReasonCode;
import java.util.ArrayList;
import java.util.List;

/**
 * SUBSCRIBE and UNSUBSCRIBE of one connection: filter validation, shared subscriptions,
 * subscription options and identifiers, the per-session subscription bound, persistence before the
 * ack, and retained messages after it.
 */
final class SubscribeHandler {

  private final BrokerCore core;
  private final Connection connection;

  SubscribeHandler(BrokerCore core, Connection connection) {
    this.core = core;
    this.connection = connection;
  }

  void onSubscribe(MqttSubscribeMessage msg) {
    boolean v5 = connection.settings().v5();
    Session session = connection.session();
    int subscriptionId = 0;
    if (v5) {
      Integer id =
          PropertiesMapper.intValue(msg.properties(), MqttProperties.SUBSCRIPTION_IDENTIFIER);
      if (id != null && id <= 0) {
        connection.protocolError(
            MqttDisconnectReasonCode.PROTOCOL_ERROR, "subscription identifier 0");
        return;
      }
      subscriptionId = id == null ? 0 : id;
    }
    List<MqttSubAckReasonCode> codes = new ArrayList<>();
    List<Future<Void>> writes = new ArrayList<>();
    List<Subscription> retainedFor = new ArrayList<>();
    for (MqttTopicSubscription ts : msg.topicSubscriptions()) {
      String text = ts.topicName();
      SharedFilter shared;
      try {
        shared = SharedFilter.parse(text);
        Topics.validateFilter(shared == null ? text : shared.filter());
      } catch (IllegalArgumentException e) {
        codes.add(
            v5
                ? MqttSubAckReasonCode.TOPIC_FILTER_INVALID
                : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      if (!core.security()
          .maySubscribe(connection.permissions(), shared == null ? text : shared.filter())) {
        codes.add(
            v5 ? MqttSubAckReasonCode.NOT_AUTHORIZED : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      MqttSubscriptionOption opt = ts.subscriptionOption();
      if (shared != null && v5 && opt.isNoLocal()) {
        connection.protocolError(
            MqttDisconnectReasonCode.PROTOCOL_ERROR, "no-local on shared subscription");
        return;
      }
      if (!session.subscriptions().containsKey(text)
          && session.subscriptions().size() >= core.options().maxSubscriptionsPerClient()) {
        codes.add(
            v5 ? MqttSubAckReasonCode.QUOTA_EXCEEDED : MqttSubAckReasonCode.UNSPECIFIED_ERROR);
        continue;
      }
      int qos = Math.min(opt.qos().value(), 2);
      Subscription sub =
          new Subscription(
              connection.clientId(),
              text,
              shared == null ? text : shared.filter(),
              shared == null ? null : shared.group(),
              qos,
              v5 && opt.isNoLocal(),
              v5 && opt.isRetainAsPublished(),
              v5 ? opt.retainHandling().value() : 0,
              subscriptionId);
      boolean existed = core.sessions().subscribe(session, sub);
      if (session.persistent()) {
        writes.add(core.persistence().saveSubscription(sub));
      }
      codes.add(MqttSubAckReasonCode.qosGranted(io.netty.handler.codec.mqtt.MqttQoS.valueOf(qos)));
      if (!sub.shared() && (sub.retainHandling() == 0 || (sub.retainHandling() == 1 && !existed))) {
        retainedFor.add(sub);
      }
    }
    int packetId = msg.messageId();
    Future.all(writes)
        .onComplete(
            ar ->
                connection.runOnContext(
                    () -> {
                      if (ar.failed()) {
                        core.metrics().storeError();
                      }
                      if (connection.isClosed()) {
                        return;
                      }
                      connection
                          .endpoint()
                          .subscribeAcknowledge(packetId, codes, MqttProperties.NO_PROPERTIES);
                      retainedFor.forEach(this::sendRetained);
                    }));
  }

  void onUnsubscribe(MqttUnsubscribeMessage msg) {
    Session session = connection.session();
    List<MqttUnsubAckReasonCode> codes = new ArrayList<>();
    List<Future<Void>> writes = new ArrayList<>();
    for (String text : msg.topics()) {
      boolean existed = core.sessions().unsubscribe(session, text);
      if (existed && session.persistent()) {
        writes.add(core.persistence().deleteSubscription(session.clientId(), text));
      }
      codes.add(
          existed
              ? MqttUnsubAckReasonCode.SUCCESS
              : MqttUnsubAckReasonCode.NO_SUBSCRIPTION_EXISTED);
    }
    int packetId = msg.messageId();
    Future.all(writes)
        .onComplete(
            ar ->
                connection.runOnContext(
                    () -> {
                      if (ar.failed()) {
                        core.metrics().storeError();
                      }
                      if (connection.isClosed()) {
                        return;
                      }
                      if (connection.settings().v5()) {
                        connection
                            .endpoint()
                            .unsubscribeAcknowledge(packetId, codes, MqttProperties.NO_PROPERTIES);
                      } else {
                        connection.endpoint().unsubscribeAcknowledge(packetId);
                      }
                    }));
  }

  private void sendRetained(Subscription sub) {
    int[] ids = sub.subscriptionId() > 0 ? new int[] {sub.subscriptionId()} : new int[0];
    for (BrokerMessage m : core.retained().matching(TopicFilter.of(sub.filter()))) {
      connection
          .session()
          .offer(new OutboundMessage(m, Math.min(m.qos(), sub.qos()), true, ids))
          .onFailure(e -> core.metrics().storeError());
    }
  }
}
