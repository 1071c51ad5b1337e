package io.outpost.gateway;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.BrokerSecurity;
import io.outpost.broker.MessageSource;
import io.outpost.broker.MqttBroker;
import io.outpost.broker.security.ListenerView;
import io.outpost.broker.security.SecurityService;
import io.outpost.broker.security.StartupChecks;
import io.outpost.cloud.CloudLink;
import io.outpost.cloud.CloudPayloadLimit;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.gateway.DataDirectory.DataDirectoryException;
import io.outpost.gateway.admin.AdminApi;
import io.outpost.gateway.admin.AdminServer;
import io.outpost.gateway.admin.AdminToken;
import io.outpost.gateway.admin.AlertMeters;
import io.outpost.gateway.admin.ClientsApi;
import io.outpost.gateway.admin.FunctionsApi;
import io.outpost.gateway.admin.ReloadApi;
import io.outpost.gateway.admin.SpoolApi;
import io.outpost.gateway.admin.VertxMeters;
import io.outpost.gateway.admin.console.Console;
import io.outpost.gateway.admin.console.ConsoleOptions;
import io.outpost.gateway.admin.console.ConsoleSources;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.config.ReloadResult;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.gateway.fleet.FleetAgent;
import io.outpost.gateway.fleet.FleetHost;
import io.outpost.gateway.function.BrokerFunctionHost;
import io.outpost.gateway.function.FunctionTriggers;
import io.outpost.gateway.route.Downlinks;
import io.outpost.gateway.route.GatewayRouter;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running Outpost daemon: wires the spool, local functions, the broker, the cloud link and the
 * admin API together, starts them in dependency order and stops them in reverse.
 *
 * <p>Start order is spool → functions → broker → cloud link → admin API, so that nothing accepts
 * work before what it hands work to is ready; stop is the reverse, so the broker stops taking
 * publishes (and finishes acknowledging those in flight) while the spool is still open.
 */
public final class Gateway {

  /** How long a single component may take to start before the daemon gives up. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private volatile OutpostConfig config;
  private final Reloader reloader;
  private Downlinks downlinks;
  private final Clock clock;
  private final Lifecycle lifecycle = new Lifecycle();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final Instant startedAt;
  private PrometheusMeterRegistry registry;
  private Vertx vertx;
  private SqliteSpool spool;
  private FunctionRuntime functions;
  private FunctionTriggers triggers;
  private GatewayRouter router;
  private MqttBroker broker;
  private CloudLink cloud;
  private volatile OutpostConfig baseConfig;
  private int adminPort = -1;
  private volatile boolean ready;

  private Gateway(OutpostConfig config, Path configFile, Clock clock) {
    this.config = config;
    this.reloader = new Reloader(this, configFile);
    this.clock = clock;
    this.startedAt = clock.instant();
  }

  /** Starts a gateway on {@code config}; on failure everything started so far is stopped again. */
  public static Gateway start(OutpostConfig config)
      throws DataDirectoryException, StartupException {
    return start(config, null);
  }

  /**
   * As {@link #start(OutpostConfig)}, remembering the file {@code config} came from so {@link
   * #reload()} can re-read it ({@code null}: built-in configuration, nothing to reload).
   */
  public static Gateway start(OutpostConfig config, Path configFile)
      throws DataDirectoryException, StartupException {
    Gateway gateway = new Gateway(config, configFile, Clock.systemUTC());
    try {
      gateway.startComponents();
      return gateway;
    } catch (DataDirectoryException | StartupException | RuntimeException | Error e) {
      gateway.lifecycle.stopAll(Duration.ofSeconds(10));
      throw e;
    }
  }

  private void startComponents() throws DataDirectoryException, StartupException {
    Path dataDir = DataDirectory.prepare(config.dataDir());
    baseConfig = config;
    try {
      // the sections the last fleet deployment set (routes, function limits) over the file's
      config = FleetAgent.withOverlay(config, dataDir);
    } catch (ConfigException | IOException e) {
      throw new StartupException(
          ExitCodes.CONFIG,
          "fleet overlay in " + dataDir.resolve("fleet") + ": " + e.getMessage(),
          e);
    }

    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(VertxMeters.filter());
    lifecycle.startedSync("metrics", registry::close);

    // the spool (SQLite's native library, the database check) opens on a thread of its own while
    // the JVM metrics and
    // Vert.x start on this one (see BackgroundStart)
    SpoolOptions spoolOptions = config.storage().withDir(dataDir.toString());
    BackgroundStart<SqliteSpool> spoolOpening =
        BackgroundStart.start(
            "outpost-spool-open", () -> SqliteSpool.open(spoolOptions, registry, clock));
    try {
      bindJvmMetrics();
      vertx =
          Vertx.builder()
              .with(new VertxOptions())
              .withMetrics(new MicrometerMetricsFactory(registry))
              .build();
      lifecycle.started("vert.x", () -> vertx.close().toCompletionStage());
    } catch (RuntimeException | Error e) {
      spoolOpening.abandon(e, SqliteSpool::close);
      throw e;
    }
    spool = spoolOpening.await();
    lifecycle.startedSync("spool", spool::close);

    functions =
        new FunctionRuntime(
            config.functions(),
            dataDir.resolve("functions"),
            new BrokerFunctionHost(this::publishLocal, clock),
            registry,
            clock);
    await("local functions", functions.start());
    lifecycle.started("local functions", functions::stop);

    triggers = new FunctionTriggers(functions);
    router =
        new GatewayRouter(
            config.routes(),
            spool,
            config.cloudLink().map(CloudPayloadLimit::of).orElse(null),
            triggers,
            registry);
    SecurityService security = startSecurity(config);
    lifecycle.startedSync("security", security::stop);
    broker =
        new MqttBroker(
            vertx, config.broker(), dataDir, router, registry, clock, BrokerSecurity.of(security));
    await("MQTT broker", broker.start().toCompletionStage(), ExitCodes.UNAVAILABLE);
    lifecycle.started("MQTT broker", () -> broker.stop().toCompletionStage());

    if (config.cloud() != null) {
      downlinks = new Downlinks(config.routes(), this::publishDownlink, clock, registry);
      cloud =
          new CloudLink(
              config.cloud(), spool, downlinks.cloudFilters(), downlinks, registry, clock);
      if (config.fleet().enabled()) {
        FleetAgent fleet =
            new FleetAgent(
                config.fleet(),
                config.fleet().thingOr(config.cloud().clientId()),
                dataDir,
                new Fleet(),
                registry,
                clock);
        await("fleet agent", fleet.start(), ExitCodes.CONFIG);
        lifecycle.started("fleet agent", fleet::stop);
        cloud.control(fleet.channel());
      }
      // start fails only on unusable configuration (PEM files): exit 78, which systemd does not
      // retry
      await("cloud link", cloud.start(), ExitCodes.CONFIG);
      lifecycle.started("cloud link", cloud::stop);
    }

    if (config.admin().enabled()) {
      AdminToken token = loadToken(config.admin().tokenPath(dataDir));
      List<AdminApi> apis =
          List.of(
              new ClientsApi(broker),
              new SpoolApi(spool),
              new ReloadApi(this::reload),
              new io.outpost.gateway.admin.FunctionLogsApi(functions, clock),
              new FunctionsApi(
                  functions,
                  dataDir.resolve("uploads"),
                  clock,
                  () -> this.config.admin().uploadLimits(),
                  registry));
      StatusReport status = new StatusReport(this);
      AlertMeters.bind(registry, functions::list, spool::stats);
      Console console =
          new Console(
              vertx,
              token,
              new ConsoleSources(
                  status,
                  () -> ClientsApi.list(broker),
                  () ->
                      spool
                          .deadLetters(Console.DEAD_LETTERS_SHOWN)
                          .thenApply(SpoolApi::deadLetters)),
              ConsoleOptions.of(
                  config.admin().consoleMaxStreams(),
                  config.admin().consoleMaxSessions(),
                  Duration.ofMinutes(config.admin().consoleSessionIdleMinutes())),
              registry,
              clock);
      AdminServer admin =
          new AdminServer(
              vertx,
              config.admin(),
              token,
              registry,
              this::isReady,
              status,
              apis,
              List.of(console));
      adminPort = await("admin API", admin.start().toCompletionStage(), ExitCodes.UNAVAILABLE);
      lifecycle.started(
          "admin API",
          () -> {
            console.close();
            return admin.stop().toCompletionStage();
          });
    }
    ready = true;
  }

  /** Device security: password file, policy, TLS material; logs the startup security warnings. */
  private SecurityService startSecurity(OutpostConfig config) throws StartupException {
    SecurityService security = new SecurityService(config.security(), registry);
    try {
      security.start();
    } catch (UncheckedIOException | IllegalArgumentException e) {
      security.stop();
      throw new StartupException(ExitCodes.CONFIG, "security: " + e.getMessage(), e);
    }
    StartupChecks.run(
        config.security(),
        config.broker().listeners().stream()
            .map(l -> new ListenerView(l.host(), l.port(), l.tls()))
            .toList());
    return security;
  }

  private static AdminToken loadToken(Path file) throws StartupException {
    try {
      return AdminToken.loadOrCreate(file);
    } catch (IOException e) {
      throw new StartupException(
          ExitCodes.CANT_CREATE, "admin token file " + file + ": " + e.getMessage(), e);
    }
  }

  private void bindJvmMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * Publishes a function's output (on an event or on its schedule) like a device's publish: through
   * the routes, to local subscribers, then to the functions it triggers.
   */
  Future<Void> publishLocal(BrokerMessage message) {
    return broker.publish(message, MessageSource.FUNCTION);
  }

  /**
   * Delivers a message from the cloud to local subscribers, then to the functions it triggers. It
   * does not pass the cloud routes: a downlink matching a {@code local → cloud} filter must not
   * bounce back up.
   */
  Future<Void> publishDownlink(BrokerMessage message) {
    return broker.publish(message, MessageSource.CLOUD);
  }

  private static <T> T await(String what, CompletionStage<T> stage) throws StartupException {
    return await(what, stage, ExitCodes.SOFTWARE);
  }

  private static <T> T await(String what, CompletionStage<T> stage, int exitCode)
      throws StartupException {
    try {
      return stage.toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new StartupException(
          exitCode, what + " did not start: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new StartupException(exitCode, what + " did not start within " + START_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(ExitCodes.SOFTWARE, "interrupted while starting " + what, e);
    }
  }

  /**
   * Stops gracefully: the admin API and cloud link first, then the broker (no new connections,
   * in-flight publishes are acknowledged), functions, the spool (closed cleanly) and Vert.x.
   * Idempotent. Returns whether it finished within {@code budget}.
   */
  public boolean stop(Duration budget) {
    if (!stopping.compareAndSet(false, true)) {
      return true;
    }
    ready = false;
    return lifecycle.stopAll(budget);
  }

  /**
   * Re-reads the configuration file and applies what can change live (routes, functions, limits,
   * log levels); see {@link Reloader}. An invalid file changes nothing.
   */
  public ReloadResult reload() {
    return reloader.reload();
  }

  /**
   * Swaps in new routes. When the cloud-side filters of the cloud → local routes changed, the cloud
   * link subscribes and unsubscribes while connected (or on its next connection).
   */
  void reroute(List<RouteConfig> routes) {
    router.reroute(routes);
    if (downlinks != null) {
      downlinks.reroute(routes);
      List<String> filters = downlinks.cloudFilters();
      if (cloud != null && !cloud.downlinkFilters().equals(filters)) {
        cloud.downlinkFilters(filters);
      }
    }
  }

  Reloader.LastReload lastReload() {
    return reloader.last();
  }

  void configReloaded(OutpostConfig next) {
    this.config = next;
    this.baseConfig = next;
  }

  /** The daemon as the fleet agent sees it. */
  private final class Fleet implements FleetHost {
    @Override
    public FunctionRuntime functions() {
      return functions;
    }

    @Override
    public OutpostConfig config() {
      return config;
    }

    @Override
    public OutpostConfig baseConfig() {
      return baseConfig;
    }

    @Override
    public void applyConfig(OutpostConfig next) {
      synchronized (reloader) {
        OutpostConfig current = config;
        if (!current.functions().equals(next.functions())) {
          functions.reconfigure(next.functions());
        }
        if (!current.routes().equals(next.routes())) {
          reroute(next.routes());
        }
        config =
            new OutpostConfig(
                current.broker(),
                current.storage(),
                current.cloud(),
                next.routes(),
                next.functions(),
                current.admin(),
                current.logging(),
                current.security(),
                current.fleet());
      }
    }

    @Override
    public CloudLink cloud() {
      return cloud;
    }

    @Override
    public long spoolDepth() {
      return spool.stats().depth();
    }

    @Override
    public String version() {
      return VersionInfo.version();
    }
  }

  /** Ready: listeners bound, spool open, not stopping. */
  public boolean isReady() {
    return ready && !stopping.get();
  }

  /** Ports the broker's listeners are bound to, in configuration order. */
  public List<Integer> brokerPorts() {
    return broker.boundPorts();
  }

  /** Port the admin API is bound to, or -1 when it is disabled. */
  public int adminPort() {
    return adminPort;
  }

  /** "mqtt://127.0.0.1:1883, admin http://127.0.0.1:8181" for the start-up log line. */
  public String describeEndpoints() {
    List<Integer> ports = brokerPorts();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ports.size(); i++) {
      b.append(i == 0 ? "" : ", ")
          .append("mqtt://")
          .append(config.broker().listeners().get(i).host())
          .append(':')
          .append(ports.get(i));
    }
    if (adminPort >= 0) {
      b.append(", admin http://").append(config.admin().host()).append(':').append(adminPort);
    }
    return b.toString();
  }

  OutpostConfig config() {
    return config;
  }

  Instant startedAt() {
    return startedAt;
  }

  Clock clock() {
    return clock;
  }

  MqttBroker broker() {
    return broker;
  }

  SqliteSpool spool() {
    return spool;
  }

  CloudLink cloud() {
    return cloud;
  }

  FunctionRuntime functions() {
    return functions;
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }
}
