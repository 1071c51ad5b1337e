package io.outpost.gateway.admin;

import io.outpost.spool.DeadLetter;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SqliteSpool;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Streams every dead letter as JSON lines, a page at a time, so an export larger than memory still
 * works: the next page is read only when the response's write queue has room again.
 */
final class DeadLetterExport {

  /** Dead letters read from the spool per page. */
  static final int PAGE = 100;

  private final SqliteSpool spool;
  private final RoutingContext ctx;

  private DeadLetterExport(SqliteSpool spool, RoutingContext ctx) {
    this.spool = spool;
    this.ctx = ctx;
  }

  static void stream(SqliteSpool spool, RoutingContext ctx) {
    ctx.response().setChunked(true).putHeader("content-type", "application/x-ndjson");
    new DeadLetterExport(spool, ctx).next(null);
  }

  private void next(DeadLetter after) {
    Future.fromCompletionStage(
            spool.deadLettersAfter(after, PAGE), ctx.vertx().getOrCreateContext())
        .onFailure(
            e -> {
              if (!ctx.response().headWritten()) {
                ctx.fail(e);
              } else {
                ctx.response()
                    .reset(); // the client sees a broken transfer rather than a short export it
                // could trust
              }
            })
        .onSuccess(
            page -> {
              HttpServerResponse response = ctx.response();
              if (response.closed()) {
                return;
              }
              if (page.isEmpty()) {
                response.end();
                return;
              }
              StringBuilder lines = new StringBuilder();
              page.forEach(d -> lines.append(line(d).encode()).append('\n'));
              response.write(lines.toString());
              DeadLetter last = page.get(page.size() - 1);
              if (response.writeQueueFull()) {
                response.drainHandler(v -> next(last));
              } else {
                next(last);
              }
            });
  }

  /** One exported dead letter: everything needed to inspect it or publish it again by hand. */
  static JsonObject line(DeadLetter d) {
    SpoolEntry e = d.entry();
    JsonArray props = new JsonArray();
    for (Map.Entry<String, String> p : e.userProperties()) {
      props.add(new JsonObject().put("key", p.getKey()).put("value", p.getValue()));
    }
    String text = new String(e.payload(), StandardCharsets.UTF_8);
    boolean utf8 = Arrays.equals(text.getBytes(StandardCharsets.UTF_8), e.payload());
    return new JsonObject()
        .put("id", d.id())
        .put("route", e.route())
        .put("topic", e.topic())
        .put("qos", e.qos())
        .put("priority", e.priority())
        .put("reason", d.reason())
        .put("deadAt", Instant.ofEpochMilli(d.failedAtMillis()).toString())
        .put("receivedAt", Instant.ofEpochMilli(e.receivedAtMillis()).toString())
        .put("originClientId", e.originClientId())
        .put("contentType", e.contentType())
        .put("userProperties", props)
        .put("payloadEncoding", utf8 ? "utf8" : "base64")
        .put("payload", utf8 ? text : Base64.getEncoder().encodeToString(e.payload()));
  }

  static List<String> fields() {
    return List.of(
        "id",
        "route",
        "topic",
        "qos",
        "priority",
        "reason",
        "deadAt",
        "receivedAt",
        "originClientId",
        "contentType",
        "userProperties",
        "payloadEncoding",
        "payload");
  }
}
