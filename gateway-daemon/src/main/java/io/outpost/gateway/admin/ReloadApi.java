package io.outpost.gateway.admin;

import io.outpost.gateway.config.ReloadResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.function.Supplier;

/**
 * {@code POST /api/reload}: re-read the configuration file; 422 with the reason when the new file
 * is invalid.
 */
public final class ReloadApi implements AdminApi {

  private final Supplier<ReloadResult> reload;

  public ReloadApi(Supplier<ReloadResult> reload) {
    this.reload = reload;
  }

  @Override
  public void mount(Router router) {
    router
        .post("/api/reload")
        .handler(
            ctx ->
                ctx.vertx()
                    .executeBlocking(reload::get, false)
                    .onComplete(
                        ar -> {
                          if (ar.failed()) {
                            ctx.fail(ar.cause());
                            return;
                          }
                          ReloadResult r = ar.result();
                          if (!r.accepted()) {
                            Responses.error(ctx, 422, "invalid-config", r.error());
                            return;
                          }
                          Responses.json(
                              ctx,
                              200,
                              new JsonObject()
                                  .put("message", r.summary())
                                  .put("applied", new JsonArray(r.applied()))
                                  .put("restartRequired", new JsonArray(r.restartRequired()))
                                  .put("failed", new JsonArray(r.failed())));
                        }));
  }
}
