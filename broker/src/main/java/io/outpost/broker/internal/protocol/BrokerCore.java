package io.outpost.broker.internal.protocol;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.BrokerOptions;
import io.outpost.broker.BrokerSecurity;
import io.outpost.broker.MessageSource;
import io.outpost.broker.PublishRouter;
import io.outpost.broker.internal.ingress.Ingress;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.broker.internal.session.LocalDelivery;
import io.outpost.broker.internal.session.RetainedMessages;
import io.outpost.broker.internal.session.SessionPersistence;
import io.outpost.broker.internal.session.SessionRegistry;
import io.outpost.broker.internal.session.SessionSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The broker's shared services, handed to every connection: options, sessions, retained messages,
 * storage, routing, metrics and time. Thread-safe; one instance per {@code MqttBroker}.
 */
public final class BrokerCore {

  private final Vertx vertx;
  private volatile BrokerOptions options;
  private final SessionRegistry sessions = new SessionRegistry();
  private final LocalDelivery delivery = new LocalDelivery(sessions);
  private final RetainedMessages retained;
  private final SessionSettings sessionSettings;
  private final Ingress ingress;
  private final BrokerMetrics metrics;
  private final Clock clock;
  private final Map<String, Connection> connections = new ConcurrentHashMap<>();
  private final Wills wills;
  private final java.util.Queue<Future<Void>> pendingWrites =
      new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean stopping;
  private final BrokerSecurity security;
  private volatile List<ServerSSLOptions> listenerTls = List.of();

  public BrokerCore(
      Vertx vertx,
      BrokerOptions options,
      SessionPersistence persistence,
      PublishRouter router,
      BrokerMetrics metrics,
      Clock clock) {
    this(vertx, options, persistence, router, metrics, clock, BrokerSecurity.ALLOW_ALL);
  }

  /** As above, with the security seam asked at CONNECT, PUBLISH and SUBSCRIBE. */
  public BrokerCore(
      Vertx vertx,
      BrokerOptions options,
      SessionPersistence persistence,
      PublishRouter router,
      BrokerMetrics metrics,
      Clock clock,
      BrokerSecurity security) {
    this.security = security;
    this.vertx = vertx;
    this.options = options;
    this.metrics = metrics;
    this.clock = clock;
    this.retained =
        new RetainedMessages(options.maxRetainedMessages(), persistence, metrics, clock);
    this.sessionSettings =
        new SessionSettings(
            options.maxQueuedMessages(), options.queueOverflow(), persistence, metrics, clock);
    this.ingress = new Ingress(router, retained::retain, delivery::deliver);
    this.wills = new Wills(this);
    sessionSettings.backlogListener(this::throttlePublisherOf);
    metrics.gauge("outpost.broker.sessions", "sessions held, connected or not", sessions::size);
  }

  /**
   * Takes a message through the broker's one ingress path (see {@link Ingress}); completes with the
   * number of sessions it reached once every durable step is done.
   */
  public Future<Integer> accept(BrokerMessage message, MessageSource source) {
    return ingress.accept(message, source);
  }

  /**
   * Slows down the client that published {@code message} (if it is connected), because a subscriber
   * of it falls behind, for as long as {@code stillBehind} says so: see {@link
   * Connection#throttle(BooleanSupplier)}.
   */
  void throttlePublisherOf(BrokerMessage message, BooleanSupplier stillBehind) {
    String publisher = message.publisherClientId();
    Connection c = publisher == null ? null : connections.get(publisher);
    if (c != null) {
      c.throttle(stillBehind);
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  /** The limits in force; read them per connection or per message, never cache them beyond that. */
  public BrokerOptions options() {
    return options;
  }

  /**
   * Puts new limits in force: session queue bounds and the retained bound at once, the others (read
   * from {@link #options()}) at the next CONNECT, SUBSCRIBE or message. Listeners and instances are
   * taken as they are; the caller keeps those of the running broker.
   */
  public void limits(BrokerOptions next) {
    sessionSettings.queueLimits(next.maxQueuedMessages(), next.queueOverflow());
    retained.maxRetained(next.maxRetainedMessages());
    this.options = next;
  }

  public SessionRegistry sessions() {
    return sessions;
  }

  public RetainedMessages retained() {
    return retained;
  }

  public SessionSettings sessionSettings() {
    return sessionSettings;
  }

  public SessionPersistence persistence() {
    return sessionSettings.persistence();
  }

  public BrokerMetrics metrics() {
    return metrics;
  }

  public Clock clock() {
    return clock;
  }

  public Wills wills() {
    return wills;
  }

  /** Connected clients by client id. */
  public Map<String, Connection> connections() {
    return connections;
  }

  public Collection<Connection> connectionList() {
    return connections.values();
  }

  /**
   * Remembers a store write that must finish before the store closes (sessions detached while
   * stopping).
   */
  public void trackWrite(Future<Void> write) {
    pendingWrites.add(write);
    pendingWrites.removeIf(Future::isComplete);
  }

  /** Completes when every tracked write finished (successfully or not). */
  public Future<Void> pendingWrites() {
    return Future.join(new java.util.ArrayList<>(pendingWrites))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** Authentication and authorization of clients. */
  public BrokerSecurity security() {
    return security;
  }

  /**
   * TLS settings per listener index ({@code null} for plain TCP); set before the listeners start.
   */
  public List<ServerSSLOptions> listenerTls() {
    return listenerTls;
  }

  public void listenerTls(List<ServerSSLOptions> tls) {
    this.listenerTls = tls;
  }

  public boolean stopping() {
    return stopping;
  }

  public void stopping(boolean value) {
    this.stopping = value;
  }
}
