package io.outpost.gateway.admin;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * JSON responses with the admin API's error shape: {@code {"error": "stable-code", "message": "for
 * humans"}}.
 */
public final class Responses {

  private Responses() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    String encoded =
        body instanceof JsonObject o ? o.encode() : io.vertx.core.json.Json.encode(body);
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(encoded);
  }

  public static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("error", code).put("message", message));
  }
}
