package io.outpost.broker.internal.session;

import io.outpost.topic.SubscriptionTree;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * All sessions by client id, and the subscription tree that indexes their subscriptions for
 * matching. Thread-safe: used from every event loop.
 */
public final class SessionRegistry {

  private static final String SHARE_KEY_PREFIX = "$share/";

  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final SubscriptionTree<String, Subscriber> tree = new SubscriptionTree<>();

  public Session get(String clientId) {
    return sessions.get(clientId);
  }

  public Collection<Session> all() {
    return sessions.values();
  }

  public int size() {
    return sessions.size();
  }

  /** Registers {@code session}, replacing any other session of the same client id. */
  public void put(Session session) {
    Session previous = sessions.put(session.clientId(), session);
    if (previous != null && previous != session) {
      unsubscribeAll(previous);
    }
  }

  /** Removes {@code session} (if still registered) and all its subscriptions. */
  public void remove(Session session) {
    if (sessions.remove(session.clientId(), session)) {
      unsubscribeAll(session);
    }
  }

  /** Adds or replaces a subscription; returns whether one with the same filter text existed. */
  public boolean subscribe(Session session, Subscription sub) {
    boolean existed = session.subscriptions().put(sub.text(), sub) != null;
    if (sub.shared()) {
      synchronized (tree) {
        String key = SHARE_KEY_PREFIX + sub.shareGroup();
        Subscriber group = tree.get(sub.filter(), key);
        if (group == null) {
          group = new ShareGroup();
          tree.put(sub.filter(), key, group);
        }
        ((ShareGroup) group).put(sub);
      }
    } else {
      tree.put(sub.filter(), sub.clientId(), sub);
    }
    return existed;
  }

  /** Removes a subscription by filter text; returns whether it existed. */
  public boolean unsubscribe(Session session, String text) {
    Subscription sub = session.subscriptions().remove(text);
    if (sub == null) {
      return false;
    }
    removeFromTree(sub);
    return true;
  }

  /** The tree, for matching. */
  public SubscriptionTree<String, Subscriber> tree() {
    return tree;
  }

  /** Whether {@code clientId} has a connected session. */
  public boolean online(String clientId) {
    Session s = sessions.get(clientId);
    return s != null && s.online();
  }

  private void unsubscribeAll(Session session) {
    for (Subscription sub : session.subscriptions().values()) {
      removeFromTree(sub);
    }
  }

  private void removeFromTree(Subscription sub) {
    if (sub.shared()) {
      synchronized (tree) {
        String key = SHARE_KEY_PREFIX + sub.shareGroup();
        Subscriber group = tree.get(sub.filter(), key);
        if (group instanceof ShareGroup g && g.remove(sub.clientId())) {
          tree.remove(sub.filter(), key);
        }
      }
    } else {
      tree.remove(sub.filter(), sub.clientId());
    }
  }
}
