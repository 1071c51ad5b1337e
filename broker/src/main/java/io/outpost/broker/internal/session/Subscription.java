package io.outpost.broker.internal.session;

/**
 * One subscription of a session with its MQTT 5 subscription options.
 *
 * @param clientId owning session
 * @param text the filter exactly as subscribed (including any {@code $share/group/} prefix); the
 *     session's key
 * @param filter the topic filter matched against topics (without the share prefix)
 * @param shareGroup the share name of a shared subscription, or {@code null}
 * @param qos maximum QoS granted (0-2)
 * @param noLocal do not deliver the client's own publishes
 * @param retainAsPublished keep the RETAIN flag of live messages instead of clearing it
 * @param retainHandling 0 send retained on subscribe, 1 only for a new subscription, 2 never
 * @param subscriptionId MQTT 5 subscription identifier, or 0 for none
 */
public record Subscription(
    String clientId,
    String text,
    String filter,
    String shareGroup,
    int qos,
    boolean noLocal,
    boolean retainAsPublished,
    int retainHandling,
    int subscriptionId)
    implements Subscriber {

  /** Whether this is a shared subscription. */
  public boolean shared() {
    return shareGroup != null;
  }
}
