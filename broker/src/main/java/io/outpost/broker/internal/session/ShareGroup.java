package io.outpost.broker.internal.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The members of one shared subscription ({@code $share/group/filter}); each message goes to one
 * member, chosen round robin among the connected members (or among all members when none is
 * connected, so it queues in one session).
 */
final class ShareGroup implements Subscriber {

  private final Map<String, Subscription> members = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();

  void put(Subscription subscription) {
    members.put(subscription.clientId(), subscription);
  }

  boolean remove(String clientId) {
    members.remove(clientId);
    return members.isEmpty();
  }

  /** Picks the member to deliver to, or {@code null} when the group is empty. */
  Subscription pick(Predicate<String> online) {
    List<Subscription> all = new ArrayList<>(members.values());
    if (all.isEmpty()) {
      return null;
    }
    List<Subscription> connected = all.stream().filter(s -> online.test(s.clientId())).toList();
    List<Subscription> candidates = connected.isEmpty() ? all : connected;
    return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
  }
}
