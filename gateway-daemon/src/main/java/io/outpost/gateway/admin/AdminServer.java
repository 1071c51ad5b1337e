package io.outpost.gateway.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.outpost.gateway.config.AdminConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator HTTP API: liveness, readiness, Prometheus metrics and status. {@code /health/live}
 * and {@code /health/ready} are open (for orchestrators and load balancers; they say only UP or
 * DOWN), {@code /metrics} is open when {@code admin.openMetrics} says so, and everything else needs
 * the bearer token from {@link AdminToken} or a session a {@link SessionGate} (the web console)
 * vouches for. Errors are JSON objects with a stable {@code error} code and a human {@code
 * message}.
 */
public final class AdminServer {

  private final Vertx vertx;
  private final AdminConfig config;
  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;
  private final Supplier<JsonObject> status;
  private final AdminToken token;
  private final List<AdminApi> apis;
  private final List<SessionGate> gates;
  private HttpServer server;

  /**
   * @param apis endpoint groups behind the token check
   * @param gates endpoints mounted before the token check (the web console) that may vouch for a
   *     request
   */
  public AdminServer(
      Vertx vertx,
      AdminConfig config,
      AdminToken token,
      PrometheusMeterRegistry registry,
      BooleanSupplier ready,
      Supplier<JsonObject> status,
      List<AdminApi> apis,
      List<SessionGate> gates) {
    this.apis = List.copyOf(apis);
    this.gates = List.copyOf(gates);
    this.vertx = vertx;
    this.config = config;
    this.token = token;
    this.registry = registry;
    this.ready = ready;
    this.status = status;
  }

  /** Binds {@code admin.listen}; completes with the bound port. */
  public Future<Integer> start() {
    Router router = Router.router(vertx);
    // open probes first: they reveal only UP or DOWN
    router
        .get("/health/live")
        .handler(ctx -> Responses.json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::readiness);
    if (config.openMetrics()) {
      router.get("/metrics").handler(this::metrics);
    }
    gates.forEach(gate -> gate.mount(router));
    router.route().handler(this::authenticate);
    router.get("/metrics").handler(this::metrics);
    router.get("/api/status").handler(ctx -> Responses.json(ctx, 200, status.get()));
    apis.forEach(api -> api.mount(router));
    router
        .route()
        .last()
        .handler(
            ctx ->
                Responses.error(
                    ctx, 404, "not-found", "no such endpoint: " + ctx.request().path()));
    router
        .route()
        .failureHandler(
            ctx ->
                Responses.error(
                    ctx,
                    ctx.statusCode() > 0 ? ctx.statusCode() : 500,
                    "internal-error",
                    "the request failed; see the daemon log"));
    server =
        vertx
            .createHttpServer(new HttpServerOptions().setHost(config.host()).setPort(config.port()))
            .requestHandler(router);
    return server.listen().map(HttpServer::actualPort);
  }

  /**
   * Every other request needs the bearer token or a session; a failure says only "unauthorized",
   * whatever was wrong.
   */
  private void authenticate(RoutingContext ctx) {
    if (token.matchesHeader(ctx.request().getHeader("Authorization"))
        || gates.stream().anyMatch(gate -> gate.admits(ctx))) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"outpost\"");
    Responses.error(ctx, 401, "unauthorized", "a valid bearer token is required");
  }

  private void readiness(RoutingContext ctx) {
    boolean up = ready.getAsBoolean();
    Responses.json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN"));
  }

  private void metrics(RoutingContext ctx) {
    // Scraping walks every meter; keep it off the event loop.
    vertx
        .executeBlocking(registry::scrape, false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                ctx.fail(ar.cause());
                return;
              }
              ctx.response()
                  .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                  .end(ar.result());
            });
  }

  /** Stops accepting requests; idempotent. */
  public Future<Void> stop() {
    HttpServer s = server;
    server = null;
    return s == null ? Future.succeededFuture() : s.close();
  }
}
