package io.outpost.broker.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The broker's Micrometer meters, all under {@code outpost.broker.*}. Every bound of {@code
 * BrokerOptions} has a gauge for its level and a counter for what happened when it was hit.
 *
 * <p>Messages:
 *
 * <ul>
 *   <li>{@code outpost.broker.messages.received{qos}}: PUBLISH packets accepted from clients;
 *   <li>{@code outpost.broker.messages.delivered}: PUBLISH packets written to subscribers;
 *   <li>{@code outpost.broker.listener.messages.received{listener}} and {@code
 *       outpost.broker.listener.messages.sent{listener}}: the same per listener, {@code listener}
 *       being {@code host:port} as bound (e.g. {@code 127.0.0.1:1883}). Separate names rather than
 *       a {@code listener} tag on the two above, because a meter name must keep one set of tag keys
 *       (Prometheus);
 *   <li>{@code outpost.broker.messages.dropped{reason}}: every discarded message, by {@code DROP_*}
 *       reason;
 *   <li>{@code outpost.broker.publishers.throttled}: times a publisher was not read from for a
 *       moment because a subscriber of its QoS 0 messages fell behind (half of {@code
 *       maxQueuedMessages} waiting unflushed).
 * </ul>
 */
public final class BrokerMetrics {

  /** Reasons used with {@link #dropped(String)}. */
  public static final String DROP_QUEUE_FULL = "queue-full";

  public static final String DROP_EXPIRED = "expired";
  public static final String DROP_PACKET_TOO_LARGE = "packet-too-large";
  public static final String DROP_QOS0_OFFLINE = "qos0-offline";
  public static final String DROP_RETAINED_FULL = "retained-full";
  public static final String DROP_SESSION_EXPIRED = "session-expired";
  public static final String DROP_REJECTED_BY_SUBSCRIBER = "rejected-by-subscriber";
  public static final String DROP_SLOW_CONSUMER = "slow-consumer";

  /**
   * A publish refused at ingress because a cloud route could never send it (over {@code
   * cloud.maxMessageBytes}).
   */
  public static final String DROP_TOO_LARGE =
      io.outpost.broker.RouteRejectedException.DROP_TOO_LARGE;

  /**
   * Every {@code DROP_*} reason: their counters exist at 0 from the start, so a first drop shows as
   * a rise.
   */
  static final List<String> DROP_REASONS =
      List.of(
          DROP_QUEUE_FULL,
          DROP_EXPIRED,
          DROP_PACKET_TOO_LARGE,
          DROP_QOS0_OFFLINE,
          DROP_RETAINED_FULL,
          DROP_SESSION_EXPIRED,
          DROP_REJECTED_BY_SUBSCRIBER,
          DROP_SLOW_CONSUMER,
          DROP_TOO_LARGE);

  private final MeterRegistry registry;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicLong inflight = new AtomicLong();
  private final AtomicLong queued = new AtomicLong();
  private final Counter[] received = new Counter[3];
  private final Counter delivered;
  private final Map<String, Counter> drops = new ConcurrentHashMap<>();
  private final Map<String, Counter> rejectedConnections = new ConcurrentHashMap<>();
  private final Map<String, Counter> protocolErrors = new ConcurrentHashMap<>();
  private final Map<String, Counter> routeRejections = new ConcurrentHashMap<>();
  private final Counter storeErrors;
  private final Counter storeQuarantined;
  private final Counter publishersThrottled;
  private final Counter topicAliasHits;
  private final Map<String, ListenerCounters> listeners = new ConcurrentHashMap<>();
  private final java.util.List<io.micrometer.core.instrument.Meter> meters =
      new java.util.concurrent.CopyOnWriteArrayList<>();

  public BrokerMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (int qos = 0; qos < 3; qos++) {
      received[qos] =
          Counter.builder("outpost.broker.messages.received")
              .description("PUBLISH packets accepted from clients")
              .tag("qos", Integer.toString(qos))
              .register(registry);
    }
    delivered =
        Counter.builder("outpost.broker.messages.delivered")
            .description("PUBLISH packets written to subscribers")
            .register(registry);
    publishersThrottled =
        Counter.builder("outpost.broker.publishers.throttled")
            .description(
                "times a publisher was not read from for a moment because a subscriber of its QoS 0 "
                    + "messages fell behind")
            .register(registry);
    topicAliasHits =
        Counter.builder("outpost.broker.topic.alias.hits")
            .description("PUBLISHes sent with a topic alias in place of the topic name")
            .register(registry);
    storeErrors =
        Counter.builder("outpost.broker.store.errors")
            .description("failed SQLite operations of the broker store")
            .register(registry);
    storeQuarantined =
        Counter.builder("outpost.broker.store.corrupt.quarantined")
            .description(
                "broker stores found corrupt at start and moved aside (broker.db.corrupt-<time>); "
                    + "their retained messages and persistent sessions are gone")
            .register(registry);
    DROP_REASONS.forEach(this::dropCounter);
    meters.add(
        Gauge.builder("outpost.broker.connections", connections, AtomicInteger::get)
            .description("connected clients (bound: maxConnections)")
            .register(registry));
    meters.add(
        Gauge.builder("outpost.broker.inflight", inflight, AtomicLong::get)
            .description(
                "outgoing QoS 1/2 messages awaiting acknowledgement (bound: maxInflight per client)")
            .register(registry));
    meters.add(
        Gauge.builder("outpost.broker.queued", queued, AtomicLong::get)
            .description("messages queued in sessions (bound: maxQueuedMessages per session)")
            .register(registry));
  }

  /** Registers a gauge reading {@code value} (for sizes owned by other components). */
  public void gauge(String name, String description, Supplier<Number> value) {
    meters.add(Gauge.builder(name, value).description(description).register(registry));
  }

  /**
   * Removes the gauges (they reference this broker's state) so a broker started later on the same
   * registry reports its own values. Counters stay: they are cumulative for the process.
   */
  public void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  public AtomicInteger connections() {
    return connections;
  }

  public AtomicLong inflight() {
    return inflight;
  }

  public AtomicLong queued() {
    return queued;
  }

  public void received(int qos) {
    received[qos].increment();
  }

  public void delivered() {
    delivered.increment();
  }

  /**
   * The message counters of one listener ({@code host:port}); look them up once per connection and
   * keep them, so no tag lookup happens per message.
   */
  public ListenerCounters listener(String listener) {
    return listeners.computeIfAbsent(
        listener,
        l ->
            new ListenerCounters(
                Counter.builder("outpost.broker.listener.messages.received")
                    .description("PUBLISH packets accepted from clients of this listener")
                    .tag("listener", l)
                    .register(registry),
                Counter.builder("outpost.broker.listener.messages.sent")
                    .description("PUBLISH packets written to clients of this listener")
                    .tag("listener", l)
                    .register(registry)));
  }

  /** Counts a publisher paused because a subscriber of its QoS 0 messages fell behind. */
  /** A PUBLISH went out with an empty topic name and a topic alias the client already knew. */
  public void topicAliasHit() {
    topicAliasHits.increment();
  }

  public void publisherThrottled() {
    publishersThrottled.increment();
  }

  public void storeError() {
    storeErrors.increment();
  }

  /** Counts a broker store moved aside as corrupt at start. */
  public void storeQuarantined() {
    storeQuarantined.increment();
  }

  /** Counts a message dropped for {@code reason} (one of the {@code DROP_*} constants). */
  public void dropped(String reason) {
    dropCounter(reason).increment();
  }

  private Counter dropCounter(String reason) {
    return drops.computeIfAbsent(
        reason,
        r ->
            Counter.builder("outpost.broker.messages.dropped")
                .description("messages the broker discarded, by reason")
                .tag("reason", r)
                .register(registry));
  }

  /** Counts a refused CONNECT. */
  public void connectionRejected(String reason) {
    rejectedConnections
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("outpost.broker.connections.rejected")
                    .description("refused CONNECTs, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  /** Counts a connection closed for a protocol violation or malformed packet. */
  public void protocolError(String reason) {
    protocolErrors
        .computeIfAbsent(
            reason,
            r ->
                Counter.builder("outpost.broker.protocol.errors")
                    .description("connections closed for bad input, by reason")
                    .tag("reason", r)
                    .register(registry))
        .increment();
  }

  /** Counts a publish the {@code PublishRouter} refused. */
  public void routeRejected(int reasonCode) {
    routeRejections
        .computeIfAbsent(
            Integer.toHexString(reasonCode),
            r ->
                Counter.builder("outpost.broker.route.rejected")
                    .description("publishes refused by the router, by reason code")
                    .tag("reasonCode", "0x" + r)
                    .register(registry))
        .increment();
  }
}
