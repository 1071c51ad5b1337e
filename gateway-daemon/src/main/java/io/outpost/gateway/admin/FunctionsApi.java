package io.outpost.gateway.admin;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.gateway.config.AdminConfig.UploadLimits;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Deploy, list, invoke, roll back, activate a kept version of and remove local functions. A package
 * arrives as the request body: a JAR, or a zip of a directory package (the CLI zips directories,
 * with their files' modes). Refusals answer 400 {@code invalid-function} (bad package, every
 * problem one line), 404 {@code function-not-found} (unknown function or version) or 409 {@code
 * no-older-version}.
 */
public final class FunctionsApi implements AdminApi {

  private final FunctionRuntime runtime;
  private final Path uploads;
  private final Clock clock;
  private final UploadBounds bounds;

  /**
   * @param runtime the local functions
   * @param uploads scratch directory for packages being deployed
   * @param clock time source for manual invocations
   * @param limits the request bounds in force ({@code admin.max*}), read per request so a reload
   *     changes them
   * @param registry where {@code outpost.admin.uploads.rejected} is counted
   */
  public FunctionsApi(
      FunctionRuntime runtime,
      Path uploads,
      Clock clock,
      Supplier<UploadLimits> limits,
      MeterRegistry registry) {
    this.runtime = runtime;
    this.uploads = uploads;
    this.clock = clock;
    this.bounds = new UploadBounds(limits, registry);
  }

  @Override
  public void mount(Router router) {
    router
        .get("/api/functions")
        .handler(
            ctx -> {
              JsonArray list = new JsonArray();
              runtime.list().forEach(f -> list.add(info(f)));
              Responses.json(ctx, 200, new JsonObject().put("functions", list));
            });
    router
        .post("/api/functions")
        .handler(bounds.body(UploadLimits::maxPackageBytes))
        .handler(this::deploy)
        .failureHandler(
            bounds.tooLarge(
                UploadRejected.PACKAGE_TOO_LARGE,
                UploadLimits::maxPackageBytes,
                "admin.maxPackageBytes"));
    router
        .post("/api/functions/:name/invoke")
        .handler(bounds.body(UploadLimits::maxInvokeBytes))
        .handler(this::invoke)
        .failureHandler(
            bounds.tooLarge(
                UploadRejected.INVOCATION_TOO_LARGE,
                UploadLimits::maxInvokeBytes,
                "admin.maxInvokeBytes"));
    router
        .post("/api/functions/:name/rollback")
        .handler(ctx -> blocking(ctx, () -> info(runtime.rollback(ctx.pathParam("name")))));
    router
        .post("/api/functions/:name/versions/:version/activate")
        .handler(
            ctx ->
                blocking(
                    ctx,
                    () -> info(runtime.activate(ctx.pathParam("name"), ctx.pathParam("version")))));
    router
        .delete("/api/functions/:name")
        .handler(
            ctx -> {
              String name = ctx.pathParam("name");
              ctx.vertx()
                  .executeBlocking(() -> runtime.remove(name), false)
                  .onComplete(
                      ar -> {
                        if (ar.failed()) {
                          ctx.fail(ar.cause());
                        } else if (ar.result()) {
                          Responses.json(ctx, 200, new JsonObject().put("removed", name));
                        } else {
                          Responses.error(
                              ctx, 404, "function-not-found", "no function named '" + name + "'");
                        }
                      });
            });
  }

  private void deploy(RoutingContext ctx) {
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    boolean zip =
        String.valueOf(ctx.request().getHeader("content-type")).startsWith("application/zip");
    UploadLimits limits = bounds.current();
    blocking(
        ctx,
        () -> {
          Path staged = Upload.stage(uploads, body, zip, limits);
          try {
            return info(runtime.deploy(staged));
          } finally {
            Upload.delete(staged);
          }
        });
  }

  private void invoke(RoutingContext ctx) {
    JsonObject req;
    try {
      req = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      Responses.error(
          ctx, 400, "bad-request", "body must be JSON: {\"topic\": ..., \"payload\": ...}");
      return;
    }
    if (req == null || req.getString("topic") == null) {
      Responses.error(ctx, 400, "bad-request", "topic is required");
      return;
    }
    InboundMessage m =
        InboundMessage.of(req.getString("topic"), req.getString("payload", ""), clock.instant());
    Future.fromCompletionStage(
            runtime.invoke(ctx.pathParam("name"), m), ctx.vertx().getOrCreateContext())
        .onSuccess(
            r -> {
              if ("not-found".equals(r.outcome().tag())) {
                Responses.error(
                    ctx,
                    404,
                    "function-not-found",
                    "no function named '" + ctx.pathParam("name") + "'");
              } else {
                withLogs(ctx, r, m.receivedAt());
              }
            })
        .onFailure(ctx::fail);
  }

  /**
   * Answers with the result and the lines the invocation logged ({@code logs}, keyed by its {@code
   * invocation} id), read from the function's log.
   */
  private void withLogs(RoutingContext ctx, InvocationResult r, java.time.Instant startedAt) {
    JsonObject body = result(r).put("invocation", r.invocationId());
    if (r.invocationId() == null) {
      Responses.json(ctx, 200, body.put("logs", new JsonArray()));
      return;
    }
    Future.fromCompletionStage(
            runtime.logs().read(r.function(), startedAt.minusSeconds(1), LogQuery.MAX_LINES),
            ctx.vertx().getOrCreateContext())
        .onComplete(
            ar -> {
              JsonArray logs = new JsonArray();
              if (ar.succeeded()) {
                ar.result().stream()
                    .filter(l -> r.invocationId().equals(l.invocationId()))
                    .forEach(l -> logs.add(FunctionLogsApi.json(l)));
              }
              Responses.json(ctx, 200, body.put("logs", logs));
            });
  }

  /**
   * Runs runtime work off the event loop and answers with its JSON, or with the deployment error.
   */
  private void blocking(RoutingContext ctx, java.util.concurrent.Callable<JsonObject> work) {
    ctx.vertx()
        .executeBlocking(work, false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                Responses.json(ctx, 200, ar.result());
              } else if (ar.cause() instanceof UploadRejected e) {
                bounds.reject(ctx, e);
              } else if (ar.cause() instanceof FunctionDeploymentException e) {
                switch (e.reason()) {
                  case NOT_FOUND -> Responses.error(ctx, 404, "function-not-found", e.getMessage());
                  case NOTHING_TO_DO ->
                      Responses.error(ctx, 409, "no-older-version", e.getMessage());
                  default -> Responses.error(ctx, 400, "invalid-function", e.getMessage());
                }
              } else if (ar.cause() instanceof IOException e) {
                Responses.error(ctx, 400, "invalid-package", e.getMessage());
              } else {
                ctx.fail(ar.cause());
              }
            });
  }

  /** The JSON form of a function, shared with {@code /api/status}. */
  public static JsonObject info(FunctionInfo f) {
    return new JsonObject()
        .put("name", f.name())
        .put("version", f.version())
        .put("runtime", f.runtime().yaml())
        .put("lifecycle", f.lifecycle().yaml())
        .put("state", f.state().toString().toLowerCase(Locale.ROOT))
        .put("triggers", new JsonArray(f.triggers()))
        .put("previousVersions", new JsonArray(f.previousVersions()))
        .put("versions", versions(f))
        .put("invocations", f.invocations())
        .put("failures", f.failures())
        .put("queueDepth", f.queueDepth())
        .put("lastError", f.lastError())
        .put(
            "settings",
            f.settings() == null
                ? null
                : new JsonObject()
                    .put("timeoutMillis", f.settings().timeoutMillis())
                    .put("maxConcurrency", f.settings().maxConcurrency())
                    .put("maxQueued", f.settings().maxQueued())
                    .put("overflow", f.settings().overflow().yaml()))
        .put("schedule", schedule(f.schedule()));
  }

  /** A function's scheduled trigger and next run, or null. */
  private static JsonObject schedule(FunctionInfo.Schedule s) {
    return s == null
        ? null
        : new JsonObject()
            .put("cron", s.cron())
            .put("every", s.every())
            .put("catchUp", s.catchUp())
            .put("nextRun", s.nextRun() == null ? null : s.nextRun().toString())
            .put("lastRun", s.lastRun() == null ? null : s.lastRun().toString())
            .put("runs", s.runs())
            .put("skipped", s.skipped());
  }

  /** The kept versions, oldest first, each with whether it is the active one. */
  private static JsonArray versions(FunctionInfo f) {
    JsonArray kept = new JsonArray();
    for (String v : f.keptVersions()) {
      kept.add(new JsonObject().put("version", v).put("active", v.equals(f.version())));
    }
    return kept;
  }

  private static JsonObject result(InvocationResult r) {
    JsonArray outputs = new JsonArray();
    for (OutboundMessage o : r.outputs()) {
      outputs.add(
          new JsonObject()
              .put("topic", o.topic())
              .put("payload", utf8OrBase64(o.payload()))
              .put("qos", o.qos())
              .put("retain", o.retain()));
    }
    return new JsonObject()
        .put("function", r.function())
        .put("version", r.version())
        .put("outcome", r.outcome().tag())
        .put("durationMillis", r.duration().toNanos() / 1e6)
        .put("error", r.error())
        .put("outputs", outputs);
  }

  private static String utf8OrBase64(byte[] payload) {
    String text = new String(payload, StandardCharsets.UTF_8);
    return java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), payload)
        ? text
        : "base64:" + Base64.getEncoder().encodeToString(payload);
  }
}
