package io.outpost.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.log.LogThrottle;
import io.outpost.spool.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's connection to the cloud broker: drains the {@link Spool} (deleting a message only
 * after the cloud's PUBACK), receives cloud → local messages for the given filters, and keeps a
 * retained {@code online}/{@code offline} status (with the will) on {@link
 * CloudOptions#resolvedStatusTopic()}.
 *
 * <p>Paho MQTT 5 by default (3.1.1 selectable), persistent session, mutual TLS from PEM files for
 * {@code ssl://}. Reconnects forever with exponential backoff and jitter behind a circuit breaker
 * (Resilience4j, scheduled — no thread sleeps). All link logic runs on one thread, {@code
 * outpost-cloud-link}; Paho adds its own threads per connection.
 *
 * <p>The downlink handler runs on Paho's callback thread: it must hand the message off and return
 * quickly. The cloud's PUBACK waits until the stage it returns completes; a failure is logged and
 * counted ({@code outpost.cloud.downlink.errors}) and the message is still acknowledged.
 */
public final class CloudLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CloudLink.class);
  private static final Duration TICK = Duration.ofSeconds(1);
  private static final Duration STOP_STATUS_TIMEOUT = Duration.ofSeconds(2);
  private static final long STOP_QUIESCE_MILLIS = 500;
  private static final long CONNACK_GRACE_SECONDS = 5;
  private static final Duration STOP_THREAD_TIMEOUT = Duration.ofSeconds(5);

  private final CloudOptions options;
  private final Spool spool;
  private volatile List<String> downlinkFilters;
  private final DownlinkHandler downlink;
  private final Clock clock;
  private final ScheduledThreadPoolExecutor executor;
  private final Reconnector reconnector;
  private final Drainer drainer;
  private final CloudMetrics metrics;
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private final Runnable availability;
  private volatile ControlChannel control;
  private volatile CloudLinkState state = CloudLinkState.STOPPED;
  private volatile long offlineSinceMillis;
  private volatile String lastError;
  private volatile Instant lastErrorAt;
  private volatile Instant nextRetryAt;

  /** Repeated connection failures: the first is logged, then a summary every five minutes. */
  private final LogThrottle failureLog;

  private final DrainProgress progress;
  private CloudEndpoint endpoint;
  private CloudTransport transport;
  private CloudTransport connecting;
  private int generation;
  private boolean started;
  private boolean stopRequested;
  private boolean stopping;

  /**
   * @param options the {@code cloud:} section
   * @param spool where messages bound for the cloud wait
   * @param downlinkFilters cloud-side topic filters to subscribe to (cloud → local routes); may be
   *     empty
   * @param downlink receives each downlink message (on a Paho thread; must not block); the cloud's
   *     PUBACK waits for the stage it returns
   * @param registry where {@code outpost.cloud.*} meters are registered
   * @param clock time source for status and the circuit breaker
   */
  public CloudLink(
      CloudOptions options,
      Spool spool,
      List<String> downlinkFilters,
      DownlinkHandler downlink,
      MeterRegistry registry,
      Clock clock) {
    this.options = Objects.requireNonNull(options, "options");
    this.spool = Objects.requireNonNull(spool, "spool");
    this.downlinkFilters = List.copyOf(downlinkFilters);
    this.downlink = Objects.requireNonNull(downlink, "downlink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.executor = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "outpost-cloud-link"));
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    this.reconnector = new Reconnector(options, executor, clock, this::onFailedAttempt);
    this.drainer =
        new Drainer(
            options,
            spool,
            executor,
            System::nanoTime,
            reason -> dropConnection(generation, reason, null));
    this.metrics = new CloudMetrics(registry, this, drainer::inflight, drainer::pendingDeletes);
    drainer.metrics(metrics);
    this.progress = new DrainProgress(clock);
    drainer.progress(progress);
    this.failureLog = new LogThrottle(LogThrottle.DEFAULT_INTERVAL, clock);
    this.availability = drainer::signal;
    this.offlineSinceMillis = clock.millis();
  }

  /**
   * Starts connecting in the background and returns at once: an unreachable cloud is not an error
   * (messages stay in the spool; watch {@link #state()}). Fails only on unusable configuration,
   * e.g. unreadable PEM files. Idempotent.
   */
  public synchronized CompletableFuture<Void> start() {
    if (started || stopRequested) {
      return CompletableFuture.completedFuture(null);
    }
    started = true;
    try {
      endpoint = CloudEndpoint.of(options);
    } catch (GeneralSecurityException | IOException e) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("cloud.tls: " + e.getMessage(), e));
    }
    spool.onAvailable(availability);
    executor.scheduleWithFixedDelay(
        drainer::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    runOn(executor, this::connect);
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Changes the cloud-side filters of the downlink subscriptions (a config reload changed the cloud
   * → local routes): subscribes to the new ones and unsubscribes from the dropped ones at once when
   * online, and uses the new set on every later connection. Completes when the cloud acknowledged
   * the change, or at once while offline.
   */
  public CompletableFuture<Void> downlinkFilters(List<String> filters) {
    List<String> next = List.copyOf(filters);
    CompletableFuture<Void> done = new CompletableFuture<>();
    runOn(
        executor,
        () -> {
          List<String> previous = downlinkFilters;
          downlinkFilters = next;
          if (transport == null) {
            done.complete(null);
            return;
          }
          List<String> added = next.stream().filter(f -> !previous.contains(f)).toList();
          List<String> removed = previous.stream().filter(f -> !next.contains(f)).toList();
          CloudTransport current = transport;
          current
              .subscribe(added, options.downlinkQos())
              .thenCompose(v -> current.unsubscribe(removed))
              .whenComplete(
                  (v, error) -> {
                    if (error != null) {
                      // the next connection subscribes to the new set; a lost connection is being
                      // handled already
                      LOG.warn(
                          "Changing the downlink subscriptions failed ({}); they apply on the next connection",
                          Reconnector.unwrap(error).toString());
                    } else {
                      LOG.info("Downlink subscriptions now {}", next);
                    }
                    done.complete(null);
                  });
        });
    return done;
  }

  /**
   * Registers the control channel (device-management topics such as AWS IoT Jobs and Shadow): its
   * filters are subscribed on every connection next to the downlink filters, messages on them go to
   * its handler instead of the downlink handler, and its {@code onOnline} runs after every
   * (re)connection. Call before {@link #start()}.
   */
  public void control(ControlChannel channel) {
    this.control = Objects.requireNonNull(channel, "channel");
  }

  /**
   * Publishes a control message (QoS 1) straight on the current connection, bypassing the spool:
   * control traffic is state that is re-sent after a reconnect, not data to keep. Fails at once
   * while offline; completes when the cloud acknowledged it, failing when it refused it.
   */
  public CompletableFuture<Void> publishControl(String topic, byte[] payload, boolean retain) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    runOn(
        executor,
        () -> {
          CloudTransport current = transport;
          if (current == null) {
            done.completeExceptionally(new IllegalStateException("cloud link offline"));
            return;
          }
          current
              .publish(topic, payload, 1, retain, List.of(), "application/json")
              .whenComplete(
                  (reason, error) -> {
                    if (error != null) {
                      done.completeExceptionally(error);
                    } else if (reason != null && reason >= 0x80) {
                      done.completeExceptionally(
                          new IllegalStateException("cloud refused the publish, reason " + reason));
                    } else {
                      done.complete(null);
                    }
                  });
        });
    if (executor.isShutdown()) {
      done.completeExceptionally(new IllegalStateException("cloud link stopped"));
    }
    return done;
  }

  /** The cloud-side filters the link subscribes to. */
  public List<String> downlinkFilters() {
    return downlinkFilters;
  }

  /** Where the link is now. */
  public CloudLinkState state() {
    return state;
  }

  /** How long the link has been offline ({@link Duration#ZERO} while online). */
  public Duration offlineFor() {
    return state == CloudLinkState.ONLINE
        ? Duration.ZERO
        : Duration.ofMillis(Math.max(0, clock.millis() - offlineSinceMillis));
  }

  /** Publishes awaiting the cloud's PUBACK. */
  public int inflight() {
    return drainer.inflight();
  }

  private void connect() {
    if (stopping) {
      return;
    }
    state = reconnector.circuitOpen() ? CloudLinkState.CIRCUIT_OPEN : CloudLinkState.CONNECTING;
    reconnector
        .connect(this::attempt)
        .whenComplete(
            (connected, error) ->
                runOn(
                    executor,
                    () -> {
                      if (error != null
                          && !(Reconnector.unwrap(error) instanceof Reconnector.StoppedException)) {
                        LOG.error("Cloud reconnect loop ended unexpectedly; restarting it", error);
                        executor.schedule(
                            this::connect, options.backoff().maxMillis(), TimeUnit.MILLISECONDS);
                      } else if (connected != null) {
                        onConnected(connected);
                      }
                    }));
  }

  /**
   * One connection attempt: connect, subscribe, publish the retained online status. Runs on the
   * link thread.
   */
  private CompletionStage<CloudTransport> attempt() {
    if (stopping) {
      return CompletableFuture.failedFuture(new Reconnector.StoppedException());
    }
    metrics.connectAttempts.increment();
    state = CloudLinkState.CONNECTING;
    int attemptGeneration = ++generation;
    CloudTransport candidate;
    try {
      candidate = newTransport(attemptGeneration);
    } catch (Exception | LinkageError e) {
      return CompletableFuture.failedFuture(e);
    }
    connecting = candidate;
    // Paho's async connect has no CONNACK timeout of its own
    return candidate
        .connect()
        .orTimeout(options.connectTimeoutSeconds() + CONNACK_GRACE_SECONDS, TimeUnit.SECONDS)
        .thenCompose(v -> candidate.subscribe(subscriptions(), options.downlinkQos()))
        .thenCompose(
            v ->
                candidate.publish(
                    options.resolvedStatusTopic(), status("online"), 1, true, List.of(), null))
        .thenApply(reason -> candidate)
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                runOn(
                    executor,
                    () -> {
                      if (connecting == candidate) {
                        connecting = null;
                      }
                      candidate.close();
                    });
              }
            });
  }

  private List<String> subscriptions() {
    ControlChannel channel = control;
    if (channel == null) {
      return downlinkFilters;
    }
    List<String> all = new java.util.ArrayList<>(downlinkFilters);
    channel.filters().stream().filter(f -> !all.contains(f)).forEach(all::add);
    return all;
  }

  private CloudTransport newTransport(int transportGeneration) throws Exception {
    CloudTransport.Events events =
        new CloudTransport.Events() {
          @Override
          public void connectionLost(Throwable cause) {
            runOn(executor, () -> dropConnection(transportGeneration, "connection lost", cause));
          }

          @Override
          public void messageArrived(CloudMessage message, Runnable ack) {
            deliverDownlink(message, ack);
          }
        };
    byte[] will = status("offline");
    return options.mqttVersion() == MqttVersion.V5
        ? new Paho5Transport(options, endpoint, will, events)
        : new Paho3Transport(options, endpoint, will, events);
  }

  private void onConnected(CloudTransport connected) {
    if (connecting == connected) {
      connecting = null;
    }
    if (stopping) {
      connected.close();
      return;
    }
    transport = connected;
    state = CloudLinkState.ONLINE;
    nextRetryAt = null;
    long failures = failureLog.reset();
    long depth = spool.stats().depth();
    LOG.info(
        "Cloud link online: {} as {} (MQTT {}){}; {} messages waiting",
        options.url(),
        options.clientId(),
        options.mqttVersion().key(),
        failures == 0 ? "" : " after " + failures + " more failed attempts",
        depth);
    progress.online(depth);
    drainer.online(connected);
    ControlChannel channel = control;
    if (channel != null) {
      channel.onOnline().run();
    }
  }

  private void onFailedAttempt(Throwable error, Duration retryIn) {
    metrics.connectFailures.increment();
    state =
        reconnector.circuitOpen() || Reconnector.isCircuitOpen(error)
            ? CloudLinkState.CIRCUIT_OPEN
            : CloudLinkState.BACKING_OFF;
    Instant now = clock.instant();
    nextRetryAt = now.plus(retryIn);
    if (!Reconnector.isCircuitOpen(error)) {
      lastError = CloudErrors.describe(error);
      lastErrorAt = now;
    }
    long skipped = failureLog.admit();
    if (skipped >= 0) {
      LOG.warn(
          "Cannot connect to the cloud at {}: {}; next attempt in {}{}",
          options.url(),
          lastError,
          DrainProgress.human(retryIn),
          skipped == 0
              ? ""
              : " ("
                  + skipped
                  + " more failed attempts since the last "
                  + "report; the next report in "
                  + LogThrottle.DEFAULT_INTERVAL.toMinutes()
                  + " minutes)");
    }
    LOG.debug("Cloud connection attempt failed", error);
  }

  /**
   * What the status shows: URL, state, last error in plain words, next retry, drain rate and ETA.
   */
  public CloudLinkStatus status() {
    double rate = progress.perSecond();
    long depth = spool.stats().depth();
    long eta = depth == 0 ? 0 : rate > 0 ? (long) Math.ceil(depth / rate) : -1;
    CloudLinkState now = state;
    return new CloudLinkStatus(
        options.url(),
        now,
        offlineFor(),
        lastError,
        lastErrorAt,
        now == CloudLinkState.ONLINE ? null : nextRetryAt,
        rate,
        eta);
  }

  /**
   * Ends the current connection (if it is still {@code transportGeneration}) and starts
   * reconnecting.
   */
  private void dropConnection(int transportGeneration, String reason, Throwable cause) {
    if (transportGeneration != generation || transport == null || stopping) {
      return;
    }
    CloudTransport lost = transport;
    transport = null;
    generation++;
    metrics.connectionsLost.increment();
    offlineSinceMillis = clock.millis();
    state = CloudLinkState.BACKING_OFF;
    String why = cause == null ? null : CloudErrors.describe(cause);
    lastError = why == null || why.equals(reason) ? reason : reason + ": " + why;
    lastErrorAt = clock.instant();
    LOG.warn("Cloud link offline: {}", lastError);
    LOG.debug("Cloud connection lost", cause);
    drainer.offline();
    lost.close();
    connect();
  }

  private void deliverDownlink(CloudMessage message, Runnable ack) {
    metrics.downlinkReceived.increment();
    CompletionStage<?> taken;
    ControlChannel channel = control;
    try {
      taken =
          channel != null && channel.matches(message.topic())
              ? channel.handler().deliver(message)
              : downlink.deliver(message);
    } catch (RuntimeException e) {
      taken = CompletableFuture.failedFuture(e);
    }
    taken.whenComplete(
        (ok, error) -> {
          if (error != null) {
            metrics.downlinkErrors.increment();
            LOG.error(
                "Downlink delivery failed for a message on {}; acknowledged to the cloud and counted",
                message.topic(),
                error);
          }
          ack.run();
        });
  }

  private byte[] status(String value) {
    return ("{\"status\":\""
            + value
            + "\",\"clientId\":\""
            + options.clientId().replace("\"", "\\\"")
            + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Publishes the retained offline status, disconnects, returns unacknowledged messages to the
   * spool and releases every thread. Idempotent; completes when everything is released.
   */
  public CompletableFuture<Void> stop() {
    synchronized (this) {
      if (stopRequested) {
        return stopped;
      }
      stopRequested = true;
      if (!started) {
        finish();
        return stopped;
      }
    }
    runOn(executor, this::shutdown);
    return stopped;
  }

  private void shutdown() {
    stopping = true;
    drainer.offline();
    if (connecting != null) {
      connecting.close();
      connecting = null;
    }
    CloudTransport last = transport;
    transport = null;
    generation++;
    if (last == null) {
      finish();
      return;
    }
    last.publish(options.resolvedStatusTopic(), status("offline"), 1, true, List.of(), null)
        .orTimeout(STOP_STATUS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        // Paho forbids disconnecting from its callback thread: hop back to the link thread first
        .handleAsync((reason, error) -> last.disconnect(STOP_QUIESCE_MILLIS), executor)
        .thenCompose(disconnected -> disconnected)
        .orTimeout(STOP_STATUS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (ok, error) ->
                runOn(
                    executor,
                    () -> {
                      if (error != null) {
                        LOG.warn(
                            "Orderly disconnect from the cloud failed ({}); closing",
                            error.toString());
                      }
                      last.close();
                      finish();
                    }));
  }

  /**
   * Last step of stopping; may run on the link thread, so the wait for its end happens on a
   * short-lived thread.
   */
  private void finish() {
    state = CloudLinkState.STOPPED;
    spool.removeOnAvailable(availability);
    metrics.close();
    executor.shutdownNow();
    Thread waiter =
        new Thread(
            () -> {
              try {
                if (!executor.awaitTermination(
                    STOP_THREAD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                  LOG.warn("Cloud link thread did not stop within {}", STOP_THREAD_TIMEOUT);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              stopped.complete(null);
            },
            "outpost-cloud-link-stopper");
    waiter.start();
  }

  /** {@link #stop()} and wait for it. */
  @Override
  public void close() {
    try {
      stop().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.error("Stopping the cloud link failed", e);
    }
  }

  /** Runs {@code task} on the link thread; dropped (logged) once the link has stopped. */
  static void runOn(Executor executor, Runnable task) {
    try {
      executor.execute(
          () -> {
            try {
              task.run();
            } catch (RuntimeException | Error e) {
              // An executor would keep this in a future nobody reads; a link that silently stops is
              // worse than a loud one.
              LOG.error("Cloud link task failed", e);
              throw e;
            }
          });
    } catch (RejectedExecutionException e) {
      LOG.debug("Link stopped; dropping a late task", e);
    }
  }
}
