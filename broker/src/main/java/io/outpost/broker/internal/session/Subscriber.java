package io.outpost.broker.internal.session;

/**
 * What the subscription tree holds at a filter: a client's own subscription or a
 * shared-subscription group.
 */
public sealed interface Subscriber permits Subscription, ShareGroup {}
