package io.outpost.gateway.route;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.cloud.CloudPayloadLimit;
import io.outpost.gateway.broker.BrokerMessage;
import io.outpost.gateway.broker.PublishRouter;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.spool.Spool;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where every message published on the local broker goes besides local subscribers: into the cloud spool for each
 * matching {@code local → cloud} route (the device is acknowledged once that is durable), then to local functions.
 *
 * <p>Functions see a message only after it was accepted, so a publish the spool rejects (and the device will retry)
 * does not trigger them twice.
 */
public final class GatewayRouter implements PublishRouter {

  private final Consumer<BrokerMessage> afterAccept;
  private volatile CloudRoutes cloud;

  /** A router without a cloud link: no message is too large for it. */
  public GatewayRouter(List<RouteConfig> routes, Spool spool, Consumer<BrokerMessage> afterAccept,
      MeterRegistry registry) {
    this(routes, spool, null, afterAccept, registry);
  }

  /**
   * @param routes the configured routes; only {@code local → cloud} ones matter here
   * @param spool where cloud-bound messages are made durable
   * @param afterAccept called on the publisher's event loop for every accepted message (local function triggers)
   * @param limit what the cloud link can send (larger messages are refused at ingress), or {@code null} without one
   * @param registry where per-route counters live
   */
  public GatewayRouter(List<RouteConfig> routes, Spool spool, CloudPayloadLimit limit,
      Consumer<BrokerMessage> afterAccept, MeterRegistry registry) {
    this.cloud = new CloudRoutes(routes, spool, limit, registry);
    this.afterAccept = afterAccept;
  }

  /** Swaps in new routes (config reload); messages already being spooled finish under the old ones. */
  public void reroute(List<RouteConfig> routes) {
    this.cloud = cloud.withRoutes(routes);
  }

  @Override
  public Future<Void> route(BrokerMessage message) {
    CompletableFuture<Void> durable = cloud.spool(message);
    if (durable.isDone() && !durable.isCompletedExceptionally()) {
      afterAccept.accept(message);
      return Future.succeededFuture();
    }
    Context context = Vertx.currentContext();
    Future<Void> result = context == null
        ? Future.fromCompletionStage(durable)
        : Future.fromCompletionStage(durable, context);
    // the broker reads the reason code off a RouteRejectedException itself; CompletableFuture wraps it
    return result.recover(failure -> Future.failedFuture(Completions.cause(failure)))
        .onSuccess(v -> afterAccept.accept(message));
  }
}
