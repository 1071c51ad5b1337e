package io.outpost.broker.security;

import io.outpost.topic.DollarTopics;
import io.outpost.topic.TopicFilter;
import io.outpost.topic.Topics;
import java.util.List;
import java.util.Map;

/**
 * What one connected client may do, resolved from the {@link Policy} at CONNECT. Immutable and
 * thread-safe; checks are cheap enough for every PUBLISH.
 */
public final class ClientPermissions {

  /** Everything allowed: the permissions of every client while no policy is configured. */
  public static final ClientPermissions ALL = new ClientPermissions(null, null);

  /** A deny rule that does not parse denies everything: a policy fails closed. */
  private static final TopicFilter DENY_ALL = TopicFilter.of("#", DollarTopics.INCLUDED);

  private final Map<PolicyAction, List<TopicFilter>> allow;
  private final Map<PolicyAction, List<TopicFilter>> deny;

  ClientPermissions(Map<PolicyAction, List<String>> allow, Map<PolicyAction, List<String>> deny) {
    this.allow = allow == null ? null : Map.copyOf(parse(allow, null));
    this.deny = deny == null ? null : Map.copyOf(parse(deny, DENY_ALL));
  }

  /** Whether the client may connect at all. */
  public boolean mayConnect() {
    return allow == null
        || (!allow.get(PolicyAction.CONNECT).isEmpty() && deny.get(PolicyAction.CONNECT).isEmpty());
  }

  /**
   * Whether the client may publish to topic name {@code topic} (also used for its will at CONNECT).
   */
  public boolean mayPublish(String topic) {
    if (allow == null) {
      return true;
    }
    for (TopicFilter d : deny.get(PolicyAction.PUBLISH)) {
      if (d.matches(topic)) {
        return false;
      }
    }
    for (TopicFilter a : allow.get(PolicyAction.PUBLISH)) {
      if (a.matches(topic)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the client may subscribe with {@code filter} (for a shared subscription, the filter
   * after {@code $share/GROUP/}): an allow rule must contain the whole filter and no deny rule may
   * overlap it.
   */
  public boolean maySubscribe(String filter) {
    if (allow == null) {
      return true;
    }
    for (TopicFilter d : deny.get(PolicyAction.SUBSCRIBE)) {
      if (d.intersects(filter)) {
        return false;
      }
    }
    for (TopicFilter a : allow.get(PolicyAction.SUBSCRIBE)) {
      if (a.covers(filter)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Parses each rule once, with the authorization {@code $}-topic rule (wildcards match {@code $}
   * topics too); a rule that does not parse becomes {@code invalid}, or is dropped when that is
   * null.
   */
  private static Map<PolicyAction, List<TopicFilter>> parse(
      Map<PolicyAction, List<String>> m, TopicFilter invalid) {
    Map<PolicyAction, List<TopicFilter>> parsed = new java.util.EnumMap<>(PolicyAction.class);
    m.forEach(
        (action, filters) -> {
          List<TopicFilter> list = new java.util.ArrayList<>(filters.size());
          for (String f : filters) {
            TopicFilter filter = parseOrNull(f);
            if (filter != null || invalid != null) {
              list.add(filter != null ? filter : invalid);
            }
          }
          parsed.put(action, List.copyOf(list));
        });
    return parsed;
  }

  private static TopicFilter parseOrNull(String filter) {
    return Topics.isValidFilter(filter) ? TopicFilter.of(filter, DollarTopics.INCLUDED) : null;
  }
}
