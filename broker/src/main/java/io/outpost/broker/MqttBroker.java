package io.outpost.broker;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.broker.internal.metrics.BrokerMetrics;
import io.outpost.broker.internal.protocol.BrokerCore;
import io.outpost.broker.internal.protocol.Connection;
import io.outpost.broker.internal.protocol.ListenerVerticle;
import io.outpost.broker.internal.session.Session;
import io.outpost.broker.internal.store.BrokerStore;
import io.outpost.broker.internal.store.StoredState;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.mqtt.messages.codes.MqttDisconnectReasonCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local MQTT 3.1.1/5.0 broker devices connect to.
 *
 * <p>Built on vertx-mqtt for the codec and connection handling; the broker semantics (sessions, QoS
 * flows, retained messages, wills, MQTT 5 features, bounds) are implemented in the {@code broker.*}
 * packages. Every message a client publishes goes through the {@link PublishRouter} before it is
 * acknowledged. Sessions, subscriptions, queued messages of offline persistent sessions and
 * retained messages live in {@code storageDir/broker.db}.
 */
public final class MqttBroker {

  /** How often keep-alives and session expiry are checked. */
  static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

  /** How long {@link #stop()} waits for clients to go after DISCONNECT 0x8B. */
  static final Duration DISCONNECT_GRACE = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final BrokerOptions options;
  private final Path storageDir;
  private final BrokerStore store;
  private final BrokerCore core;
  private final List<ListenerVerticle> instances = new CopyOnWriteArrayList<>();
  private Future<Void> started;
  private Future<Void> stopped;
  private String deploymentId;
  private long sweepTimer = -1;

  public MqttBroker(
      Vertx vertx,
      BrokerOptions options,
      Path storageDir,
      PublishRouter router,
      MeterRegistry registry) {
    this(vertx, options, storageDir, router, registry, Clock.systemUTC());
  }

  /** As above with an injected clock (message expiry, session expiry, keep-alive). */
  public MqttBroker(
      Vertx vertx,
      BrokerOptions options,
      Path storageDir,
      PublishRouter router,
      MeterRegistry registry,
      Clock clock) {
    this(vertx, options, storageDir, router, registry, clock, BrokerSecurity.ALLOW_ALL);
  }

  /**
   * As above with device security: {@code security} authenticates CONNECTs, authorizes PUBLISH and
   * SUBSCRIBE, and provides the TLS settings of listeners with a {@code tls} section.
   */
  public MqttBroker(
      Vertx vertx,
      BrokerOptions options,
      Path storageDir,
      PublishRouter router,
      MeterRegistry registry,
      Clock clock,
      BrokerSecurity security) {
    this.vertx = vertx;
    this.options = options;
    this.storageDir = storageDir;
    this.store = new BrokerStore(vertx, storageDir.resolve("broker.db"));
    this.core =
        new BrokerCore(
            vertx,
            options,
            store,
            router == null ? PublishRouter.NONE : router,
            new BrokerMetrics(registry),
            clock,
            security == null ? BrokerSecurity.ALLOW_ALL : security);
  }

  /** Opens the store ({@code storageDir/broker.db}), restores state and binds all listeners. */
  public synchronized Future<Void> start() {
    if (started != null) {
      return started;
    }
    started =
        store
            .open(core.clock().millis())
            .compose(
                state -> {
                  if (store.quarantinedTo() != null) {
                    core.metrics().storeQuarantined();
                  }
                  restore(state);
                  return loadTls();
                })
            .compose(
                tlsLoaded -> {
                  DeploymentOptions deployment =
                      new DeploymentOptions()
                          .setInstances(options.instances())
                          .setThreadingModel(ThreadingModel.EVENT_LOOP);
                  return vertx.deployVerticle(
                      () -> {
                        ListenerVerticle v = new ListenerVerticle(core);
                        instances.add(v);
                        return v;
                      },
                      deployment);
                })
            .map(
                id -> {
                  synchronized (this) {
                    deploymentId = id;
                    sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL.toMillis(), t -> sweep());
                  }
                  return (Void) null;
                })
            .recover(e -> store.close().transform(ignored -> Future.failedFuture(e)));
    return started;
  }

  /** Reads the TLS material of every TLS listener on a worker thread, before any listener binds. */
  private Future<Void> loadTls() {
    if (options.listeners().stream().allMatch(l -> l.tls() == null)) {
      return Future.succeededFuture();
    }
    return vertx
        .<List<ServerSSLOptions>>executeBlocking(
            () -> {
              List<ServerSSLOptions> tls = new ArrayList<>();
              for (ListenerOptions l : options.listeners()) {
                tls.add(l.tls() == null ? null : core.security().tls(l.tls()));
              }
              return tls;
            })
        .map(
            tls -> {
              core.listenerTls(tls);
              return (Void) null;
            });
  }

  /**
   * Applies the bounds of {@code next} to the running broker without dropping any connection, and
   * returns the keys that differ but can only change with a restart ({@code listeners}, {@code
   * instances}); those keep their running values. Safe to call from any thread; before {@link
   * #start()} the new bounds are simply the ones started with.
   *
   * <p>When each bound takes effect:
   *
   * <ul>
   *   <li>at once, for every session: {@code maxQueuedMessages} and {@code queueOverflow} (from the
   *       next message on; messages already queued beyond a lowered bound drain normally), {@code
   *       maxRetainedMessages} (retained topics beyond a lowered bound stay, new topics are
   *       refused), {@code maxSubscriptionsPerClient} (at the next SUBSCRIBE);
   *   <li>at the next CONNECT: {@code maxConnections} (connected clients beyond a lowered bound
   *       stay connected), {@code maxPacketBytes}, {@code maxClientIdLength} and {@code
   *       connectTimeoutSeconds} (new TCP connections), {@code receiveMaximum} and {@code
   *       topicAliasMaximum} (connected MQTT 5 clients keep the values their CONNACK told them),
   *       {@code maxInflight}, {@code maxKeepAliveSeconds}, {@code maxSessionExpirySeconds}, {@code
   *       outboundTopicAliases} (connected clients keep their aliases).
   * </ul>
   *
   * @return the keys not applied, empty when everything was
   */
  public List<String> applyLimits(BrokerOptions next) {
    Objects.requireNonNull(next, "next");
    List<String> notApplied = new ArrayList<>();
    synchronized (this) {
      BrokerOptions running = core.options();
      if (!next.listeners().equals(running.listeners())) {
        notApplied.add("listeners");
      }
      if (!next.instances().equals(running.instances())) {
        notApplied.add("instances");
      }
      BrokerOptions applied =
          next.withListeners(running.listeners()).withInstances(running.instances());
      core.limits(applied);
      instances.forEach(v -> v.applyLimits(applied));
    }
    return List.copyOf(notApplied);
  }

  /**
   * Actual listening ports in listener order (an ephemeral port for a listener configured with port
   * 0).
   */
  public List<Integer> boundPorts() {
    return instances.isEmpty() ? List.of() : instances.get(0).boundPorts();
  }

  /**
   * Injects a message as if a client had published it, through the same path (see {@link
   * PublishRouter}): routed when {@code source} is, retained when flagged, delivered to local
   * subscribers, then handed to {@link PublishRouter#delivered}. Completes once all of that is
   * done.
   */
  public Future<Void> publish(BrokerMessage message, MessageSource source) {
    if (core.stopping()) {
      return Future.failedFuture(new IllegalStateException("broker is stopping"));
    }
    return core.accept(message, source).mapEmpty();
  }

  /**
   * A message from the cloud ({@link MessageSource#CLOUD}): not passed to the durable routes, so
   * none can loop.
   */
  public Future<Void> publish(BrokerMessage message) {
    return publish(message, MessageSource.CLOUD);
  }

  public int connectedClients() {
    return core.connections().size();
  }

  /** Snapshot of connected clients, for the admin API. */
  public List<ClientInfo> clients() {
    return core.connectionList().stream().map(Connection::info).toList();
  }

  /**
   * Disconnects {@code clientId} (MQTT 5: DISCONNECT 0x98 administrative action); false when not
   * connected.
   */
  public boolean disconnect(String clientId) {
    Connection c = core.connections().get(clientId);
    if (c == null) {
      return false;
    }
    c.disconnect(MqttDisconnectReasonCode.ADMINISTRATIVE_ACTION, "disconnected by administrator");
    return true;
  }

  /**
   * Stops accepting, sends MQTT 5 DISCONNECT 0x8B (server shutting down) to every client, persists
   * sessions and closes the store. Idempotent.
   */
  public synchronized Future<Void> stop() {
    if (stopped != null) {
      return stopped;
    }
    core.stopping(true);
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
    core.wills().cancelAll();
    Future<Void> afterStart =
        started == null
            ? Future.succeededFuture()
            : started.<Void>transform(ar -> Future.succeededFuture());
    stopped =
        afterStart
            .compose(
                v -> {
                  core.connectionList()
                      .forEach(
                          c ->
                              c.disconnect(
                                  MqttDisconnectReasonCode.SERVER_SHUTTING_DOWN,
                                  "server shutting down"));
                  return awaitNoConnections(System.nanoTime() + DISCONNECT_GRACE.toNanos());
                })
            .compose(
                v -> deploymentId == null ? Future.succeededFuture() : vertx.undeploy(deploymentId))
            .transform(ar -> core.pendingWrites())
            .transform(ar -> store.close())
            .andThen(ar -> core.metrics().close());
    return stopped;
  }

  private Future<Void> awaitNoConnections(long deadlineNanos) {
    if (core.connections().isEmpty() || System.nanoTime() > deadlineNanos) {
      return Future.succeededFuture();
    }
    Promise<Void> p = Promise.promise();
    vertx.setTimer(10, t -> awaitNoConnections(deadlineNanos).onComplete(p));
    return p.future();
  }

  private void restore(StoredState state) {
    for (StoredState.StoredSession s : state.sessions()) {
      Session session = new Session(s.clientId(), s.expirySeconds(), core.sessionSettings());
      session.disconnectedAtMillis(s.disconnectedAtMillis());
      core.sessions().put(session);
    }
    state
        .subscriptions()
        .forEach(
            sub -> {
              Session session = core.sessions().get(sub.clientId());
              if (session != null) {
                core.sessions().subscribe(session, sub);
              }
            });
    state
        .messages()
        .forEach(
            (clientId, messages) -> {
              Session session = core.sessions().get(clientId);
              if (session != null) {
                session.restore(messages);
              }
            });
    state
        .inboundQos2()
        .forEach(
            (clientId, ids) -> {
              Session session = core.sessions().get(clientId);
              if (session != null) {
                session.restoreInboundQos2(ids);
              }
            });
    state.retained().forEach(core.retained()::restore);
  }

  private void sweep() {
    long now = core.clock().millis();
    for (Connection c : core.connectionList()) {
      if (c.keepAliveExpiredAt(now)) {
        c.keepAliveTimeout();
      }
    }
    for (Session s : core.sessions().all()) {
      if (!s.online()
          && s.persistent()
          && s.expirySeconds() != BrokerOptions.MQTT_MAX_SESSION_EXPIRY_SECONDS
          && s.disconnectedAtMillis() + s.expirySeconds() * 1000L <= now) {
        int lost = s.inflightCount() + s.queuedCount();
        core.sessions().remove(s);
        s.discard();
        for (int i = 0; i < lost; i++) {
          core.metrics().dropped(BrokerMetrics.DROP_SESSION_EXPIRED);
        }
        store.deleteSession(s.clientId()).onFailure(e -> core.metrics().storeError());
      }
    }
  }

  /** The storage directory holding {@code broker.db}. */
  public Path storageDir() {
    return storageDir;
  }
}
