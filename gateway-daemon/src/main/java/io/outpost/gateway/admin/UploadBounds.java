package io.outpost.gateway.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.gateway.config.AdminConfig.UploadLimits;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The admin API's request bounds while it runs: body limits taken per request from the
 * configuration in force (so a reload changes them), HTTP 413 answers with a stable code, and
 * {@code outpost.admin.uploads.rejected{reason}}.
 */
final class UploadBounds {

  private static final List<String> REASONS =
      List.of(
          UploadRejected.PACKAGE_TOO_LARGE,
          UploadRejected.EXPANDS_TOO_LARGE,
          UploadRejected.TOO_MANY_FILES,
          UploadRejected.INVOCATION_TOO_LARGE);

  private final Supplier<UploadLimits> limits;
  private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

  UploadBounds(Supplier<UploadLimits> limits, MeterRegistry registry) {
    this.limits = limits;
    for (String reason : REASONS) {
      rejected.put(
          reason,
          Counter.builder("outpost.admin.uploads.rejected")
              .tag("reason", reason)
              .description("Admin API uploads refused for exceeding a configured bound")
              .register(registry));
    }
  }

  UploadLimits current() {
    return limits.get();
  }

  /**
   * Reads the body up to the limit in force; a larger body fails the request with 413 (see {@link
   * #tooLarge}).
   */
  Handler<RoutingContext> body(ToLongFunction<UploadLimits> limit) {
    return ctx ->
        BodyHandler.create(false).setBodyLimit(limit.applyAsLong(limits.get())).handle(ctx);
  }

  /**
   * Failure handler turning the body handler's bare 413 into the API's JSON error with {@code
   * code}.
   */
  Handler<RoutingContext> tooLarge(String code, ToLongFunction<UploadLimits> limit, String key) {
    return ctx -> {
      if (ctx.statusCode() != 413) {
        ctx.next();
        return;
      }
      reject(
          ctx,
          new UploadRejected(
              code,
              "the request body is larger than "
                  + limit.applyAsLong(limits.get())
                  + " bytes ("
                  + key
                  + ")"));
    };
  }

  /** Counts and answers an upload beyond a bound. */
  void reject(RoutingContext ctx, UploadRejected e) {
    rejected.get(e.code()).increment();
    Responses.error(ctx, 413, e.code(), e.getMessage());
  }
}
