package io.outpost.broker.internal.session;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.QueueOverflowPolicy;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The MQTT session state of one client id: subscriptions, outgoing QoS 1/2 messages in flight and
 * queued, and incoming QoS 2 packet ids awaiting PUBREL. It outlives connections (persistent
 * sessions) and, when persistent, is mirrored to the {@link SessionPersistence}.
 *
 * <p>Publishers on any event loop call {@link #offer}; the owning connection calls the
 * acknowledgement methods. All mutable state is guarded by this object's monitor; writes to the
 * link only enqueue on the socket, so holding the lock while writing is short.
 */
public final class Session {

  private static final int MAX_PACKET_ID = 65_535;

  /** {@link OutboundMessage#storeId()} while its insert is in progress. */
  private static final long STORE_PENDING = -1;

  private final String clientId;
  private final SessionSettings settings;
  private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
  private final LinkedHashMap<Integer, OutboundMessage> inflight = new LinkedHashMap<>();
  private final ArrayDeque<OutboundMessage> queue = new ArrayDeque<>();
  private final Map<Integer, Boolean> inboundQos2 = new HashMap<>();
  private volatile long expirySeconds;
  private volatile SessionLink link;
  private int inflightLimit = 1;
  private int lastPacketId;
  private long disconnectedAtMillis;
  private boolean discarded;

  public Session(String clientId, long expirySeconds, SessionSettings settings) {
    this.clientId = clientId;
    this.expirySeconds = expirySeconds;
    this.settings = settings;
  }

  public String clientId() {
    return clientId;
  }

  public long expirySeconds() {
    return expirySeconds;
  }

  public void expirySeconds(long seconds) {
    this.expirySeconds = seconds;
  }

  /** Whether the session outlives its connection. */
  public boolean persistent() {
    return expirySeconds > 0;
  }

  public boolean online() {
    return link != null;
  }

  /** Live view of the subscriptions, keyed by filter text. */
  public Map<String, Subscription> subscriptions() {
    return subscriptions;
  }

  public synchronized long disconnectedAtMillis() {
    return disconnectedAtMillis;
  }

  public synchronized void disconnectedAtMillis(long millis) {
    this.disconnectedAtMillis = millis;
  }

  public synchronized int inflightCount() {
    return inflight.size();
  }

  public synchronized int queuedCount() {
    return queue.size();
  }

  /** Whether this session is connected with its queue still three quarters full or more. */
  private synchronized boolean stillBehind() {
    int maxQueued = settings.maxQueuedMessages();
    return link != null && maxQueued > 0 && queue.size() >= maxQueued - maxQueued / 4;
  }

  /**
   * Takes {@code message} for delivery: sends it now if a connection and an in-flight slot are
   * free, otherwise queues it (QoS 1/2 only; QoS 0 to an offline session is dropped and counted).
   * The future completes when the message is durable where durability is promised (queued for an
   * offline persistent session).
   */
  public Future<Void> offer(OutboundMessage message) {
    BrokerMetrics metrics = settings.metrics();
    long[] evicted = null;
    synchronized (this) {
      if (message.qos() == 0) {
        SessionLink current = link;
        if (current == null || current.publish(message, false) == SessionLink.SendResult.CLOSED) {
          metrics.dropped(BrokerMetrics.DROP_QOS0_OFFLINE);
        }
        return Future.succeededFuture();
      }
      if (link != null && queue.isEmpty() && inflight.size() < inflightLimit) {
        sendNew(message);
        return Future.succeededFuture();
      }
      int maxQueued = settings.maxQueuedMessages();
      if (link != null && maxQueued > 0 && queue.size() >= maxQueued / 2) {
        // a connected subscriber falls behind: slow the publisher until it catches up (one short
        // pause only when it is its own subscriber, whose acknowledgements a pause holds back too)
        BrokerMessage m = message.message();
        settings.backlog(
            m, clientId().equals(m.publisherClientId()) ? () -> false : this::stillBehind);
      }
      if (queue.size() >= maxQueued) {
        metrics.dropped(BrokerMetrics.DROP_QUEUE_FULL);
        if (settings.overflow() == QueueOverflowPolicy.DROP_NEWEST || queue.isEmpty()) {
          return Future.succeededFuture();
        }
        OutboundMessage oldest = queue.poll();
        metrics.queued().decrementAndGet();
        oldest.completed(true);
        if (oldest.storeId() > 0) {
          evicted = new long[] {oldest.storeId()};
        }
      }
      queue.add(message);
      metrics.queued().incrementAndGet();
      if (evicted != null) {
        settings.persistence().deleteMessage(evicted[0]).onFailure(e -> metrics.storeError());
      }
      if (link == null && persistent()) {
        return persist(List.of(message));
      }
      return Future.succeededFuture();
    }
  }

  /**
   * Attaches a new connection: resends unacknowledged messages (DUP / PUBREL), then drains the
   * queue.
   */
  public synchronized void attach(SessionLink newLink, int maxInflight) {
    this.link = newLink;
    this.inflightLimit = maxInflight;
    List<OutboundMessage> discarded = new ArrayList<>();
    for (OutboundMessage m : inflight.values()) {
      if (m.released()) {
        newLink.pubrel(m.packetId());
      } else if (newLink.publish(m, true) == SessionLink.SendResult.DISCARD) {
        discarded.add(m);
      }
    }
    discarded.forEach(m -> complete(inflight.remove(m.packetId())));
    drain();
  }

  /**
   * Detaches {@code oldLink} (if still attached). A persistent session writes every message not yet
   * stored, so it survives a restart; the future completes when they are committed. Returns {@code
   * null} when {@code oldLink} was no longer attached (a newer connection took the session over).
   */
  public Future<Void> detach(SessionLink oldLink) {
    synchronized (this) {
      if (link != oldLink || discarded) {
        link = discarded ? null : link;
        return null;
      }
      link = null;
      disconnectedAtMillis = settings.clock().millis();
      if (!persistent()) {
        return Future.succeededFuture();
      }
      List<OutboundMessage> unstored = new ArrayList<>();
      for (OutboundMessage m : inflight.values()) {
        if (m.storeId() == 0) {
          unstored.add(m);
        }
      }
      for (OutboundMessage m : queue) {
        if (m.storeId() == 0) {
          unstored.add(m);
        }
      }
      return unstored.isEmpty() ? Future.succeededFuture() : persist(unstored);
    }
  }

  /** PUBACK received; returns false when the packet id is unknown. */
  public synchronized boolean onPuback(int packetId) {
    OutboundMessage m = inflight.remove(packetId);
    if (m == null) {
      return false;
    }
    complete(m);
    drain();
    return true;
  }

  /**
   * PUBREC received; returns false when the packet id is unknown. A failure reason code ends the
   * flow.
   */
  public synchronized boolean onPubrec(int packetId, boolean failed) {
    OutboundMessage m = inflight.get(packetId);
    if (m == null) {
      return false;
    }
    if (failed) {
      inflight.remove(packetId);
      settings.metrics().dropped(BrokerMetrics.DROP_REJECTED_BY_SUBSCRIBER);
      complete(m);
      drain();
      return true;
    }
    if (!m.released()) {
      m.released(true);
      if (m.storeId() > 0) {
        settings
            .persistence()
            .updateMessage(m.storeId(), packetId, true)
            .onFailure(e -> settings.metrics().storeError());
      }
    }
    SessionLink current = link;
    if (current != null) {
      current.pubrel(packetId);
    }
    return true;
  }

  /** PUBCOMP received; returns false when the packet id is unknown. */
  public synchronized boolean onPubcomp(int packetId) {
    return onPuback(packetId);
  }

  /**
   * Records an incoming QoS 2 packet id. Returns {@code null} when it is new (caller processes it),
   * {@code FALSE} when it is still being processed, {@code TRUE} when it was received already
   * (caller just repeats PUBREC).
   */
  public synchronized Boolean inboundQos2Begin(int packetId) {
    Boolean state = inboundQos2.get(packetId);
    if (state == null) {
      inboundQos2.put(packetId, Boolean.FALSE);
    }
    return state;
  }

  /**
   * Marks an incoming QoS 2 message as received (PUBREC sent), or forgets it when it was refused.
   */
  public synchronized void inboundQos2End(int packetId, boolean received) {
    if (received) {
      inboundQos2.put(packetId, Boolean.TRUE);
    } else {
      inboundQos2.remove(packetId);
    }
  }

  /** PUBREL received: forgets the packet id; returns whether it was known. */
  public synchronized boolean inboundQos2Release(int packetId) {
    return inboundQos2.remove(packetId) != null;
  }

  /** Restores incoming QoS 2 packet ids loaded from the store (received, PUBREL not yet seen). */
  public synchronized void restoreInboundQos2(Collection<Integer> packetIds) {
    packetIds.forEach(id -> inboundQos2.put(id, Boolean.TRUE));
  }

  /** Restores messages loaded from the store (in flight first, by packet id, then queued). */
  public synchronized void restore(Collection<OutboundMessage> messages) {
    for (OutboundMessage m : messages) {
      if (m.packetId() > 0 && !inflight.containsKey(m.packetId())) {
        inflight.put(m.packetId(), m);
        settings.metrics().inflight().incrementAndGet();
        lastPacketId = Math.max(lastPacketId, m.packetId());
      } else {
        m.packetId(0);
        m.released(false);
        queue.add(m);
        settings.metrics().queued().incrementAndGet();
      }
    }
  }

  /**
   * Ends the session for good (clean start, expiry): drops every message and makes a later detach
   * of its old connection a no-op, so that connection cannot write stale state over the session
   * that replaced it.
   */
  public synchronized void discard() {
    discarded = true;
    clear();
  }

  /** Drops every message (session ended); stored rows go with the session row. */
  public synchronized void clear() {
    settings.metrics().inflight().addAndGet(-inflight.size());
    settings.metrics().queued().addAndGet(-queue.size());
    inflight.values().forEach(m -> m.completed(true));
    queue.forEach(m -> m.completed(true));
    inflight.clear();
    queue.clear();
    inboundQos2.clear();
  }

  private void drain() {
    SessionLink current = link;
    while (current != null && inflight.size() < inflightLimit && !queue.isEmpty()) {
      OutboundMessage next = queue.poll();
      settings.metrics().queued().decrementAndGet();
      sendNew(next);
      current = link;
    }
  }

  private void sendNew(OutboundMessage m) {
    m.packetId(nextPacketId());
    inflight.put(m.packetId(), m);
    settings.metrics().inflight().incrementAndGet();
    SessionLink.SendResult result = link.publish(m, false);
    if (result == SessionLink.SendResult.DISCARD) {
      complete(inflight.remove(m.packetId()));
    } else if (m.storeId() > 0) {
      settings
          .persistence()
          .updateMessage(m.storeId(), m.packetId(), false)
          .onFailure(e -> settings.metrics().storeError());
    }
  }

  private void complete(OutboundMessage m) {
    m.completed(true);
    settings.metrics().inflight().decrementAndGet();
    if (m.storeId() > 0) {
      settings
          .persistence()
          .deleteMessage(m.storeId())
          .onFailure(e -> settings.metrics().storeError());
    }
  }

  private int nextPacketId() {
    int id = lastPacketId;
    do {
      id = id % MAX_PACKET_ID + 1;
    } while (inflight.containsKey(id));
    lastPacketId = id;
    return id;
  }

  private Future<Void> persist(List<OutboundMessage> messages) {
    SessionPersistence store = settings.persistence();
    // mark as being stored so a detach racing with this insert does not insert them twice
    messages.forEach(m -> m.storeId(STORE_PENDING));
    return store
        .insertMessages(clientId, messages)
        .recover(
            e -> {
              synchronized (this) {
                messages.forEach(m -> m.storeId(0));
              }
              return Future.failedFuture(e);
            })
        .compose(
            ids -> {
              List<Future<Void>> followUps = new ArrayList<>();
              synchronized (this) {
                for (int i = 0; i < ids.length; i++) {
                  OutboundMessage m = messages.get(i);
                  m.storeId(ids[i]);
                  if (m.completed()) {
                    followUps.add(store.deleteMessage(ids[i]));
                  } else if (m.packetId() > 0) {
                    followUps.add(store.updateMessage(ids[i], m.packetId(), m.released()));
                  }
                }
              }
              return Future.all(followUps).<Void>mapEmpty();
            })
        .onFailure(e -> settings.metrics().storeError());
  }
}
