package io.outpost.gateway.admin;

import io.outpost.spool.DeadLetter;
import io.outpost.spool.DropReason;
import io.outpost.spool.SpoolStats;
import io.outpost.spool.SqliteSpool;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Spool statistics and dead-letter operations: list, retry, delete, purge and export (JSON lines).
 * Every dead-letter change is logged by the spool.
 */
public final class SpoolApi implements AdminApi {

  static final int MAX_LIST = 1_000;

  private final SqliteSpool spool;

  public SpoolApi(SqliteSpool spool) {
    this.spool = spool;
  }

  @Override
  public void mount(Router router) {
    router.get("/api/spool").handler(ctx -> Responses.json(ctx, 200, stats(spool.stats())));
    router
        .get("/api/spool/dead-letters")
        .handler(
            ctx -> {
              int limit;
              try {
                limit =
                    Integer.parseInt(
                        ctx.queryParams().get("limit") == null
                            ? "50"
                            : ctx.queryParams().get("limit"));
              } catch (NumberFormatException e) {
                Responses.error(ctx, 400, "bad-request", "limit must be a number");
                return;
              }
              Future.fromCompletionStage(
                      spool.deadLetters(Math.max(1, Math.min(limit, MAX_LIST))),
                      ctx.vertx().getOrCreateContext())
                  .onSuccess(
                      list ->
                          Responses.json(
                              ctx, 200, new JsonObject().put("deadLetters", deadLetters(list))))
                  .onFailure(ctx::fail);
            });
    router
        .get("/api/spool/dead-letters/export")
        .handler(ctx -> DeadLetterExport.stream(spool, ctx));
    router
        .post("/api/spool/dead-letters/purge")
        .handler(
            ctx ->
                Future.fromCompletionStage(
                        spool.purgeDeadLetters(), ctx.vertx().getOrCreateContext())
                    .onSuccess(n -> Responses.json(ctx, 200, new JsonObject().put("purged", n)))
                    .onFailure(ctx::fail));
    router
        .delete("/api/spool/dead-letters/:id")
        .handler(
            ctx -> {
              Long id = id(ctx);
              if (id == null) {
                return;
              }
              Future.fromCompletionStage(
                      spool.deleteDeadLetters(List.of(id)), ctx.vertx().getOrCreateContext())
                  .onSuccess(
                      n -> {
                        if (n > 0) {
                          Responses.json(ctx, 200, new JsonObject().put("deleted", id));
                        } else {
                          Responses.error(
                              ctx, 404, "dead-letter-not-found", "no dead letter with id " + id);
                        }
                      })
                  .onFailure(ctx::fail);
            });
    router
        .post("/api/spool/dead-letters/:id/retry")
        .handler(
            ctx -> {
              Long id = id(ctx);
              if (id == null) {
                return;
              }
              Future.fromCompletionStage(
                      spool.retryDeadLetter(id), ctx.vertx().getOrCreateContext())
                  .onSuccess(
                      found -> {
                        if (found) {
                          Responses.json(ctx, 200, new JsonObject().put("retried", id));
                        } else {
                          Responses.error(
                              ctx, 404, "dead-letter-not-found", "no dead letter with id " + id);
                        }
                      })
                  .onFailure(ctx::fail);
            });
  }

  /** The dead letter's id from the path, or null after answering 400. */
  private static Long id(RoutingContext ctx) {
    try {
      return Long.parseLong(ctx.pathParam("id"));
    } catch (NumberFormatException e) {
      Responses.error(ctx, 400, "bad-request", "id must be a number");
      return null;
    }
  }

  /** The spool part of status and {@code GET /api/spool}. */
  public static JsonObject stats(SpoolStats s) {
    JsonObject dropped = new JsonObject();
    for (DropReason reason : DropReason.values()) {
      dropped.put(reason.toString().toLowerCase(Locale.ROOT).replace('_', '-'), s.dropped(reason));
    }
    JsonObject byRoute = new JsonObject();
    s.depthByRoute().forEach(byRoute::put);
    return new JsonObject()
        .put("depth", s.depth())
        .put("bytes", s.bytes())
        .put("maxBytes", s.maxBytes())
        .put("oldestAgeSeconds", s.oldestAge().toSeconds())
        .put("inFlight", s.leased())
        .put("depthByRoute", byRoute)
        .put("dropped", dropped)
        .put("deadLetters", s.deadLetters())
        .put("writable", s.writable())
        .put("lastError", s.lastError());
  }

  /**
   * A listing of dead letters, as {@code GET /api/spool/dead-letters} answers (also the console's
   * table).
   */
  public static JsonArray deadLetters(java.util.List<DeadLetter> list) {
    JsonArray out = new JsonArray();
    list.forEach(d -> out.add(deadLetter(d)));
    return out;
  }

  /** The JSON form of a dead letter in a listing (the payload's size, not the payload). */
  public static JsonObject deadLetter(DeadLetter d) {
    return new JsonObject()
        .put("id", d.id())
        .put("route", d.entry().route())
        .put("topic", d.entry().topic())
        .put("payloadBytes", d.entry().payload().length)
        .put("reason", d.reason())
        .put("deadAt", Instant.ofEpochMilli(d.failedAtMillis()).toString());
  }
}
