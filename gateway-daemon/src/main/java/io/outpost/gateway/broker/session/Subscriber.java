package io.outpost.gateway.broker.session;

/** What the subscription tree holds at a filter: a client's own subscription or a shared-subscription group. */
public sealed interface Subscriber permits Subscription, ShareGroup {
}
