package io.outpost.broker.security;

import java.util.List;
import java.util.Map;

/**
 * What one connected client may do, resolved from the {@link Policy} at CONNECT. Immutable and thread-safe; checks are
 * cheap enough for every PUBLISH.
 */
public final class ClientPermissions {

  /** Everything allowed: the permissions of every client while no policy is configured. */
  public static final ClientPermissions ALL = new ClientPermissions(null, null);

  private final Map<PolicyAction, List<String>> allow;
  private final Map<PolicyAction, List<String>> deny;

  ClientPermissions(Map<PolicyAction, List<String>> allow, Map<PolicyAction, List<String>> deny) {
    this.allow = allow == null ? null : Map.copyOf(copyLists(allow));
    this.deny = deny == null ? null : Map.copyOf(copyLists(deny));
  }

  /** Whether the client may connect at all. */
  public boolean mayConnect() {
    return allow == null || (!allow.get(PolicyAction.CONNECT).isEmpty() && deny.get(PolicyAction.CONNECT).isEmpty());
  }

  /** Whether the client may publish to topic name {@code topic} (also used for its will at CONNECT). */
  public boolean mayPublish(String topic) {
    if (allow == null) {
      return true;
    }
    for (String d : deny.get(PolicyAction.PUBLISH)) {
      if (TopicFilters.matches(d, topic)) {
        return false;
      }
    }
    for (String a : allow.get(PolicyAction.PUBLISH)) {
      if (TopicFilters.matches(a, topic)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the client may subscribe with {@code filter} (for a shared subscription, the filter after
   * {@code $share/GROUP/}): an allow rule must contain the whole filter and no deny rule may overlap it.
   */
  public boolean maySubscribe(String filter) {
    if (allow == null) {
      return true;
    }
    for (String d : deny.get(PolicyAction.SUBSCRIBE)) {
      if (TopicFilters.intersects(d, filter)) {
        return false;
      }
    }
    for (String a : allow.get(PolicyAction.SUBSCRIBE)) {
      if (TopicFilters.covers(a, filter)) {
        return true;
      }
    }
    return false;
  }

  private static Map<PolicyAction, List<String>> copyLists(Map<PolicyAction, List<String>> m) {
    Map<PolicyAction, List<String>> copy = new java.util.EnumMap<>(PolicyAction.class);
    m.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return copy;
  }
}
