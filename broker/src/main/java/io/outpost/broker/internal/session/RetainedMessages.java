package io.outpost.broker.internal.session;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.topic.TopicFilter;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The retained message of every topic, in memory and in the store. An empty payload clears a topic;
 * a new topic beyond {@code maxRetainedMessages} is not retained (counted as {@code
 * retained-full}).
 */
public final class RetainedMessages {

  private final Map<String, BrokerMessage> byTopic = new ConcurrentHashMap<>();
  private volatile int maxRetained;
  private final SessionPersistence persistence;
  private final BrokerMetrics metrics;
  private final Clock clock;

  public RetainedMessages(
      int maxRetained, SessionPersistence persistence, BrokerMetrics metrics, Clock clock) {
    this.maxRetained = maxRetained;
    this.persistence = persistence;
    this.metrics = metrics;
    this.clock = clock;
    metrics.gauge(
        "outpost.broker.retained", "retained topics (bound: maxRetainedMessages)", byTopic::size);
  }

  /**
   * Changes the bound while the broker runs. Lowering it below the current count keeps the topics
   * already retained (they can still be updated or cleared); new topics are refused until the count
   * is below the bound.
   */
  public void maxRetained(int newMaxRetained) {
    this.maxRetained = newMaxRetained;
  }

  /** Loads a message from the store at start-up. */
  public void restore(BrokerMessage message) {
    byTopic.put(message.topic(), message);
  }

  /** Stores or clears the retained message of {@code message.topic()}; completes when durable. */
  public Future<Void> retain(BrokerMessage message) {
    if (message.payload().length() == 0) {
      if (byTopic.remove(message.topic()) == null) {
        return Future.succeededFuture();
      }
      return persistence.deleteRetained(message.topic());
    }
    if (!byTopic.containsKey(message.topic()) && byTopic.size() >= maxRetained) {
      metrics.dropped(BrokerMetrics.DROP_RETAINED_FULL);
      return Future.succeededFuture();
    }
    byTopic.put(message.topic(), message);
    return persistence.putRetained(message);
  }

  /** Unexpired retained messages whose topic matches {@code filter}. */
  public List<BrokerMessage> matching(TopicFilter filter) {
    long now = clock.millis();
    List<BrokerMessage> result = new ArrayList<>();
    for (BrokerMessage m : byTopic.values()) {
      if (m.expiresAtMillis() <= now) {
        if (byTopic.remove(m.topic(), m)) {
          persistence.deleteRetained(m.topic()).onFailure(e -> metrics.storeError());
          metrics.dropped(BrokerMetrics.DROP_EXPIRED);
        }
      } else if (filter.matches(m.topic())) {
        result.add(m);
      }
    }
    return result;
  }

  public int size() {
    return byTopic.size();
  }
}
