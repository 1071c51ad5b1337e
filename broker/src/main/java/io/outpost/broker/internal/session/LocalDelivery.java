package io.outpost.broker.internal.session;

import io.outpost.broker.BrokerMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Fans one message out to the matching sessions: one copy per session, at the highest QoS of its
 * matching subscriptions (capped by the published QoS), carrying all their subscription
 * identifiers; one member per shared group. The payload buffer is shared by all copies.
 */
public final class LocalDelivery {

  private final SessionRegistry registry;

  public LocalDelivery(SessionRegistry registry) {
    this.registry = registry;
  }

  /**
   * Delivers {@code message}; completes with the number of sessions it went to once it is durable
   * in every offline persistent session it was queued for.
   */
  public Future<Integer> deliver(BrokerMessage message) {
    Targets targets = new Targets(message);
    registry.tree().match(message.topic(), targets);
    if (targets.first == null) {
      return Future.succeededFuture(0);
    }
    List<Future<Void>> pending = null;
    int count = 0;
    Future<Void> f = offer(targets.firstClientId, targets.first, message);
    if (f != null) {
      count++;
      pending = addIfPending(pending, f);
    }
    if (targets.others != null) {
      for (Map.Entry<String, Target> e : targets.others.entrySet()) {
        f = offer(e.getKey(), e.getValue(), message);
        if (f != null) {
          count++;
          pending = addIfPending(pending, f);
        }
      }
    }
    int delivered = count;
    return pending == null ? Future.succeededFuture(delivered) : Future.all(pending).map(delivered);
  }

  /** Offers the message to one session; {@code null} when the session is gone. */
  private Future<Void> offer(String clientId, Target target, BrokerMessage message) {
    Session session = registry.get(clientId);
    return session == null ? null : session.offer(target.toOutbound(message));
  }

  private static List<Future<Void>> addIfPending(List<Future<Void>> pending, Future<Void> f) {
    if (f.isComplete() && f.succeeded()) {
      return pending;
    }
    List<Future<Void>> list = pending == null ? new ArrayList<>(1) : pending;
    list.add(f);
    return list;
  }

  /**
   * The sessions a message goes to, collected while matching. Most messages reach one session, so
   * the first is kept in fields and a map is made only for a second one.
   */
  private final class Targets implements BiConsumer<String, Subscriber> {
    private final BrokerMessage message;
    String firstClientId;
    Target first;
    Map<String, Target> others;

    Targets(BrokerMessage message) {
      this.message = message;
    }

    @Override
    public void accept(String key, Subscriber subscriber) {
      if (subscriber instanceof Subscription sub) {
        if (sub.noLocal() && sub.clientId().equals(message.publisherClientId())) {
          return;
        }
        target(sub.clientId()).add(sub, message);
      } else if (subscriber instanceof ShareGroup group) {
        Subscription member = group.pick(registry::online);
        if (member != null) {
          target(member.clientId()).add(member, message);
        }
      }
    }

    private Target target(String clientId) {
      if (first == null) {
        firstClientId = clientId;
        first = new Target();
        return first;
      }
      if (firstClientId.equals(clientId)) {
        return first;
      }
      if (others == null) {
        others = new HashMap<>();
      }
      return others.computeIfAbsent(clientId, k -> new Target());
    }
  }

  /** Aggregated delivery options of one session's matching subscriptions. */
  private static final class Target {
    private static final int[] NO_IDS = new int[0];

    int qos = -1;
    boolean retain;
    int[] ids = NO_IDS;

    void add(Subscription sub, BrokerMessage message) {
      qos = Math.max(qos, Math.min(sub.qos(), message.qos()));
      retain |= sub.retainAsPublished() && message.retain();
      if (sub.subscriptionId() > 0) {
        int[] grown = java.util.Arrays.copyOf(ids, ids.length + 1);
        grown[ids.length] = sub.subscriptionId();
        ids = grown;
      }
    }

    OutboundMessage toOutbound(BrokerMessage message) {
      return new OutboundMessage(message, qos, retain, ids);
    }
  }
}
