package io.outpost.topic;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * A concurrent trie of topic filters, one node per level, each node holding the subscribers of the
 * filter ending there.
 *
 * <p>Matching ({@link #match}) is lock-free and runs concurrently on every event loop; changes are
 * serialised on one lock so that pruning of empty nodes can never lose a concurrent subscription. A
 * subscriber is identified by a key {@code K} (e.g. a client id) and carries a value {@code V}
 * (e.g. its subscription options); each key holds at most one value per filter.
 *
 * @param <K> subscriber key
 * @param <V> subscription value
 */
public final class SubscriptionTree<K, V> {

  private final Node<K, V> root = new Node<>(null, null);
  private final Object writeLock = new Object();
  private final AtomicInteger size = new AtomicInteger();

  /**
   * Adds or replaces the value of {@code key} under {@code filter}; returns the previous value or
   * {@code null}.
   */
  public V put(String filter, K key, V value) {
    String[] levels = TopicLevels.split(filter);
    synchronized (writeLock) {
      Node<K, V> node = root;
      for (String level : levels) {
        Node<K, V> parent = node;
        node = node.children.computeIfAbsent(level, l -> new Node<>(parent, l));
      }
      V previous = node.values.put(key, value);
      if (previous == null) {
        size.incrementAndGet();
      }
      return previous;
    }
  }

  /**
   * Removes the value of {@code key} under {@code filter}; returns it or {@code null} when absent.
   */
  public V remove(String filter, K key) {
    String[] levels = TopicLevels.split(filter);
    synchronized (writeLock) {
      Node<K, V> node = root;
      for (String level : levels) {
        node = node.children.get(level);
        if (node == null) {
          return null;
        }
      }
      V removed = node.values.remove(key);
      if (removed != null) {
        size.decrementAndGet();
        prune(node);
      }
      return removed;
    }
  }

  /** Returns the value of {@code key} under exactly {@code filter}, or {@code null}. */
  public V get(String filter, K key) {
    Node<K, V> node = root;
    for (String level : TopicLevels.split(filter)) {
      node = node.children.get(level);
      if (node == null) {
        return null;
      }
    }
    return node.values.get(key);
  }

  /** Number of (filter, key) entries. */
  public int size() {
    return size.get();
  }

  /**
   * Calls {@code visitor} once for every (key, value) whose filter matches the topic name {@code
   * topic}. A key subscribed through several matching filters is visited once per filter.
   */
  public void match(String topic, BiConsumer<? super K, ? super V> visitor) {
    match(root, topic, 0, topic.startsWith("$"), visitor);
  }

  /**
   * {@code start} is where the topic level under {@code node}'s children begins, {@code
   * topic.length() + 1} once the topic has no more levels. A level's text is cut out only where a
   * node has children to look it up in, so a topic nobody subscribed to costs no allocation.
   */
  private void match(
      Node<K, V> node,
      String topic,
      int start,
      boolean dollar,
      BiConsumer<? super K, ? super V> visitor) {
    boolean wildcardsAllowed = !(dollar && start == 0);
    Node<K, V> multi = wildcardsAllowed ? node.children.get("#") : null;
    if (multi != null) {
      multi.values.forEach(visitor);
    }
    if (start > topic.length()) {
      node.values.forEach(visitor);
      return;
    }
    if (node.children.isEmpty()) {
      return;
    }
    int end = topic.indexOf('/', start);
    if (end < 0) {
      end = topic.length();
    }
    Node<K, V> exact = node.children.get(topic.substring(start, end));
    if (exact != null) {
      match(exact, topic, end + 1, dollar, visitor);
    }
    Node<K, V> single = wildcardsAllowed ? node.children.get("+") : null;
    if (single != null) {
      match(single, topic, end + 1, dollar, visitor);
    }
  }

  private void prune(Node<K, V> node) {
    while (node.parent != null && node.values.isEmpty() && node.children.isEmpty()) {
      node.parent.children.remove(node.level, node);
      node = node.parent;
    }
  }

  private static final class Node<K, V> {
    final Node<K, V> parent;
    final String level;
    final Map<String, Node<K, V>> children = new ConcurrentHashMap<>(4);
    final Map<K, V> values = new ConcurrentHashMap<>(4);

    Node(Node<K, V> parent, String level) {
      this.parent = parent;
      this.level = level;
    }
  }
}
