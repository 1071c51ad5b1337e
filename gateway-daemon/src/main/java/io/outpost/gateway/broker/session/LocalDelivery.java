package io.outpost.gateway.broker.session;

import io.outpost.gateway.broker.BrokerMessage;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fans one message out to the matching sessions: one copy per session, at the highest QoS of its matching
 * subscriptions (capped by the published QoS), carrying all their subscription identifiers; one member per shared
 * group. The payload buffer is shared by all copies.
 */
public final class LocalDelivery {

    private final SessionRegistry registry;

    public LocalDelivery(SessionRegistry registry) {
        this.registry = registry;
    }

    /**
     * Delivers {@code message}; completes with the number of sessions it went to once it is durable in every offline
     * persistent session it was queued for.
     */
    public Future<Integer> deliver(BrokerMessage message) {
        Map<String, Target> targets = new HashMap<>();
        registry.tree().match(message.topic(), (key, subscriber) -> {
            if (subscriber instanceof Subscription sub) {
                if (sub.noLocal() && sub.clientId().equals(message.publisherClientId())) {
                    return;
                }
                targets.computeIfAbsent(sub.clientId(), k -> new Target()).add(sub, message);
            } else if (subscriber instanceof ShareGroup group) {
                Subscription member = group.pick(registry::online);
                if (member != null) {
                    targets.computeIfAbsent(member.clientId(), k -> new Target()).add(member, message);
                }
            }
        });
        if (targets.isEmpty()) {
            return Future.succeededFuture(0);
        }
        List<Future<Void>> pending = new ArrayList<>(1);
        int count = 0;
        for (Map.Entry<String, Target> e : targets.entrySet()) {
            Session session = registry.get(e.getKey());
            if (session == null) {
                continue;
            }
            count++;
            Future<Void> f = session.offer(e.getValue().toOutbound(message));
            if (!f.isComplete() || f.failed()) {
                pending.add(f);
            }
        }
        int delivered = count;
        return pending.isEmpty() ? Future.succeededFuture(delivered)
                : Future.all(pending).map(delivered);
    }

    /** Aggregated delivery options of one session's matching subscriptions. */
    private static final class Target {
        int qos = -1;
        boolean retain;
        int[] ids = new int[0];

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
