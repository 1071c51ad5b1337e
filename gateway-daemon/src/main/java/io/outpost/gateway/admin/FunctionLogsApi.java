package io.outpost.gateway.admin;

import io.outpost.function.runtime.FunctionLogRecord;
import io.outpost.function.runtime.FunctionLogs;
import io.outpost.function.runtime.FunctionRuntime;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/functions/<name>/logs?since=10m&lines=N[&follow=true]}: a function's own log as
 * JSON lines ({@code application/x-ndjson}), oldest first. With {@code follow=true} the response
 * stays open and each new line follows as it is logged (chunked JSON lines, or server-sent events
 * when the request accepts {@code text/event-stream}, as the console's does). Follows are bounded
 * by {@code functions.logs.maxFollowers}; a reader that does not keep up skips lines and is told
 * how many.
 */
public final class FunctionLogsApi implements AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(FunctionLogsApi.class);
  private static final String NDJSON = "application/x-ndjson";
  private static final String SSE = "text/event-stream";

  private final FunctionRuntime runtime;
  private final Clock clock;

  public FunctionLogsApi(FunctionRuntime runtime, Clock clock) {
    this.runtime = runtime;
    this.clock = clock;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/functions/:name/logs").handler(this::logs);
  }

  /** The JSON form of one line, shared with the invoke response. */
  public static JsonObject json(FunctionLogRecord r) {
    return new JsonObject()
        .put("time", r.time().toString())
        .put("level", r.level())
        .put("source", r.source().tag())
        .put("invocation", r.invocationId())
        .put("message", r.message());
  }

  private void logs(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    LogQuery query;
    try {
      query = LogQuery.parse(ctx.queryParams().get("since"), ctx.queryParams().get("lines"), clock);
    } catch (IllegalArgumentException e) {
      Responses.error(ctx, 400, "bad-request", e.getMessage());
      return;
    }
    if (runtime.get(name).isEmpty()) {
      Responses.error(ctx, 404, "function-not-found", "no function named '" + name + "'");
      return;
    }
    if ("true".equalsIgnoreCase(ctx.queryParams().get("follow"))) {
      follow(ctx, name, query);
      return;
    }
    Future.fromCompletionStage(
            runtime.logs().read(name, query.since(), query.lines()),
            ctx.vertx().getOrCreateContext())
        .onSuccess(lines -> ndjson(ctx, lines))
        .onFailure(
            e -> {
              LOG.warn("cannot read the log of function {}", name, e);
              Responses.error(ctx, 500, "logs-unreadable", "the function's log could not be read");
            });
  }

  private static void ndjson(RoutingContext ctx, List<FunctionLogRecord> lines) {
    StringBuilder body = new StringBuilder();
    for (FunctionLogRecord r : lines) {
      body.append(json(r).encode()).append('\n');
    }
    ctx.response().putHeader("content-type", NDJSON).end(body.toString());
  }

  private void follow(RoutingContext ctx, String name, LogQuery query) {
    HttpServerResponse response = ctx.response();
    String accept = String.valueOf(ctx.request().getHeader("Accept"));
    boolean sse = accept.contains(SSE);
    Context context = ctx.vertx().getOrCreateContext();
    AtomicLong skipped = new AtomicLong();
    FunctionLogs store = runtime.logs();
    response
        .setChunked(true)
        .putHeader("content-type", sse ? SSE : NDJSON)
        .putHeader("cache-control", "no-store");
    Optional<AutoCloseable> handle =
        store.tryFollow(
            name,
            query.since(),
            query.lines(),
            r -> context.runOnContext(v -> send(response, sse, r, skipped)));
    if (handle.isEmpty()) {
      Responses.error(
          ctx,
          503,
          "too-many-follows",
          "at most "
              + store.maxFollowers()
              + " function logs can be followed at once (functions.logs.maxFollowers)");
      return;
    }
    if (sse) {
      response.write(": following " + name + "\n\n");
    } else {
      response.writeHead();
    }
    response.closeHandler(v -> close(handle.get()));
    response.exceptionHandler(e -> close(handle.get()));
  }

  private static void send(
      HttpServerResponse response, boolean sse, FunctionLogRecord r, AtomicLong skipped) {
    if (response.closed() || response.ended()) {
      return;
    }
    if (response.writeQueueFull()) {
      skipped.incrementAndGet();
      return;
    }
    long missed = skipped.getAndSet(0);
    if (missed > 0) {
      frame(
          response,
          sse,
          new JsonObject()
              .put("time", r.time().toString())
              .put("level", "WARN")
              .put("source", "runtime")
              .put("message", missed + " lines skipped: the reader did not keep up"));
    }
    frame(response, sse, json(r));
  }

  private static void frame(HttpServerResponse response, boolean sse, JsonObject line) {
    response.write(sse ? "data: " + line.encode() + "\n\n" : line.encode() + "\n");
  }

  private static void close(AutoCloseable handle) {
    try {
      handle.close();
    } catch (Exception e) {
      LOG.debug("closing a log follow failed", e);
    }
  }
}
