package io.outpost.gateway.admin.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.gateway.admin.AdminToken;
import io.outpost.gateway.admin.SessionGate;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;

/**
 * The operator's web console at {@code /ui} on the admin listener.
 *
 * <p>A login page takes the admin token and starts a session: a random id in an {@code HttpOnly},
 * {@code SameSite=Strict} cookie ({@code Secure} when the request came over TLS). The page calls
 * the admin API itself ({@code /api/...}) with that cookie instead of the bearer token; every
 * request that changes something must also carry the session's CSRF token in an {@code
 * X-CSRF-Token} header (synchronizer token: the page gets it in a meta tag, a cross-site page
 * cannot read it). Live figures come over server-sent events from {@link LiveFeed}. Static files
 * are served from memory ({@link ConsoleAssets}), with a strict Content-Security-Policy (no inline
 * script, no other origin).
 */
public final class Console implements SessionGate {

  /** Dead letters the live view lists (the oldest; the CLI's export has them all). */
  public static final int DEAD_LETTERS_SHOWN = 50;

  static final String COOKIE = "outpost_session";
  static final String CSRF_HEADER = "X-CSRF-Token";
  private static final String CSP =
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
  private static final int MAX_LOGIN_BYTES = 4096;

  private final AdminToken token;
  private final ConsoleAssets assets = new ConsoleAssets();
  private final ConsoleSessions sessions;
  private final LiveFeed feed;
  private final Counter loginsOk;
  private final Counter loginsRefused;

  /**
   * @param vertx the admin server's Vert.x (timers for the live feed)
   * @param token the admin token a login must present
   * @param sources what the live view shows
   * @param options the console's bounds
   * @param registry where {@code outpost.admin.console.*} is counted
   * @param clock time source for session expiry and rates
   */
  public Console(
      Vertx vertx,
      AdminToken token,
      ConsoleSources sources,
      ConsoleOptions options,
      MeterRegistry registry,
      Clock clock) {
    this.token = token;
    this.sessions = new ConsoleSessions(options.maxSessions(), options.sessionIdle(), clock);
    this.feed = new LiveFeed(vertx, sources, sessions, options, registry, clock);
    Gauge.builder("outpost.admin.console.sessions", sessions, ConsoleSessions::size)
        .description("signed-in console sessions (bound: admin.consoleMaxSessions)")
        .register(registry);
    FunctionCounter.builder(
            "outpost.admin.console.sessions.evicted", sessions, ConsoleSessions::evicted)
        .description("console sessions ended by a login beyond admin.consoleMaxSessions")
        .register(registry);
    this.loginsOk =
        Counter.builder("outpost.admin.console.logins")
            .tag("result", "ok")
            .description("console logins")
            .register(registry);
    this.loginsRefused =
        Counter.builder("outpost.admin.console.logins")
            .tag("result", "refused")
            .description("console logins")
            .register(registry);
  }

  @Override
  public void mount(Router router) {
    router.get("/").handler(ctx -> redirect(ctx, "/ui/"));
    // Vert.x matches "/ui" and "/ui/" alike: send the first to the second so relative links resolve
    // the same way
    router
        .get("/ui")
        .handler(
            ctx -> {
              if (ctx.request().path().endsWith("/")) {
                app(ctx);
              } else {
                redirect(ctx, "/ui/");
              }
            });
    router
        .get("/ui/login")
        .handler(ctx -> html(ctx, assets.loginPage("1".equals(ctx.queryParams().get("failed")))));
    router
        .post("/ui/login")
        .handler(BodyHandler.create(false).setBodyLimit(MAX_LOGIN_BYTES))
        .handler(this::login);
    router.post("/ui/logout").handler(this::logout);
    router.get("/ui/assets/:name").handler(this::asset);
    router.get("/ui/events").handler(this::events);
    // whether the session is still signed in: 204, or 401 (the page then shows the login page
    // again)
    router
        .get("/ui/session")
        .handler(
            ctx -> {
              if (session(ctx) == null) {
                unauthorized(ctx);
              } else {
                ctx.response().setStatusCode(204).end();
              }
            });
  }

  @Override
  public boolean admits(RoutingContext ctx) {
    ConsoleSessions.Session session = session(ctx);
    if (session == null) {
      return false;
    }
    HttpMethod method = ctx.request().method();
    return HttpMethod.GET.equals(method)
        || HttpMethod.HEAD.equals(method)
        || ConsoleSessions.csrfMatches(session, ctx.request().getHeader(CSRF_HEADER));
  }

  /** Ends the live streams; call before the admin server closes. */
  public void close() {
    feed.close();
  }

  private ConsoleSessions.Session session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(COOKIE);
    return cookie == null ? null : sessions.find(cookie.getValue());
  }

  private void app(RoutingContext ctx) {
    ConsoleSessions.Session session = session(ctx);
    if (session == null) {
      redirect(ctx, "/ui/login");
      return;
    }
    html(ctx, assets.appPage(session.csrf()));
  }

  private void login(RoutingContext ctx) {
    String presented = ctx.request().getFormAttribute("token");
    if (presented == null || !token.matchesHeader("Bearer " + presented.trim())) {
      loginsRefused.increment();
      redirect(ctx, "/ui/login?failed=1");
      return;
    }
    loginsOk.increment();
    ConsoleSessions.Session session = sessions.create();
    ctx.response().addCookie(cookie(ctx, session.id()));
    redirect(ctx, "/ui/");
  }

  private void logout(RoutingContext ctx) {
    ConsoleSessions.Session session = session(ctx);
    if (session != null
        && ConsoleSessions.csrfMatches(session, ctx.request().getHeader(CSRF_HEADER))) {
      sessions.end(session.id());
      ctx.response().addCookie(cookie(ctx, "").setMaxAge(0));
      ctx.response().setStatusCode(204).end();
      return;
    }
    ctx.response()
        .setStatusCode(403)
        .putHeader("content-type", "application/json")
        .end("{\"error\":\"forbidden\",\"message\":\"no session, or its CSRF token is missing\"}");
  }

  private void events(RoutingContext ctx) {
    ConsoleSessions.Session session = session(ctx);
    if (session == null) {
      unauthorized(ctx);
      return;
    }
    feed.open(ctx.response(), session.id());
  }

  private static void unauthorized(RoutingContext ctx) {
    ctx.response()
        .setStatusCode(401)
        .putHeader("content-type", "application/json")
        .end("{\"error\":\"unauthorized\",\"message\":\"sign in to the console first\"}");
  }

  private void asset(RoutingContext ctx) {
    ConsoleAssets.Asset asset = assets.get(ctx.pathParam("name"));
    if (asset == null) {
      ctx.next(); // the API's 404
      return;
    }
    secured(ctx.response())
        .putHeader("content-type", asset.contentType())
        .putHeader("cache-control", "no-cache")
        .end(asset.body());
  }

  private static Cookie cookie(RoutingContext ctx, String value) {
    return Cookie.cookie(COOKIE, value)
        .setPath("/")
        .setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT)
        .setSecure(ctx.request().isSSL());
  }

  private static void html(RoutingContext ctx, String page) {
    secured(ctx.response())
        .putHeader("content-type", "text/html; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .end(page);
  }

  private static HttpServerResponse secured(HttpServerResponse response) {
    return response
        .putHeader("content-security-policy", CSP)
        .putHeader("x-content-type-options", "nosniff")
        .putHeader("referrer-policy", "no-referrer");
  }

  private static void redirect(RoutingContext ctx, String to) {
    ctx.response().setStatusCode(303).putHeader("location", to).end();
  }
}
