package io.outpost.gateway.route;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.PublishRouter;
import io.outpost.broker.RouteRejectedException;
import io.outpost.cloud.CloudPayloadLimit;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.spool.Spool;
import io.outpost.spool.SpoolFullException;
import io.outpost.spool.SpoolUnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The daemon's two steps of the broker's ingress path (see {@link PublishRouter}): the durable
 * routes, into the cloud spool for each matching {@code local → cloud} route (the device is
 * acknowledged once that is durable), and, once the broker delivered the message locally, the local
 * functions.
 *
 * <p>Functions see a message only after it was accepted, so a publish the spool rejects (and the
 * device will retry) does not trigger them twice. This is also the one place where a spool failure
 * becomes an MQTT reason code.
 */
public final class GatewayRouter implements PublishRouter {

  /**
   * MQTT 5 reason code "Quota exceeded": the spool is full and its policy is {@code reject-new}.
   */
  static final int QUOTA_EXCEEDED = 0x97;

  /**
   * MQTT 5 reason code "Unspecified error": the spool could not store the message (e.g. disk full).
   */
  static final int UNSPECIFIED_ERROR = 0x80;

  /**
   * Reason code for a message larger than the cloud link can send. MQTT 5 has no "packet too large"
   * (0x95) among the PUBACK/PUBREC codes, so it is "Quota exceeded", with a reason string starting
   * {@code too-large}.
   */
  static final int TOO_LARGE = QUOTA_EXCEEDED;

  private final Consumer<BrokerMessage> afterDelivery;
  private volatile CloudRoutes cloud;

  /** A router without a cloud link: no message is too large for it. */
  public GatewayRouter(
      List<RouteConfig> routes,
      Spool spool,
      Consumer<BrokerMessage> afterDelivery,
      MeterRegistry registry) {
    this(routes, spool, null, afterDelivery, registry);
  }

  /**
   * @param routes the configured routes; only {@code local → cloud} ones matter here
   * @param spool where cloud-bound messages are made durable
   * @param limit what the cloud link can send (larger messages are refused at ingress), or {@code
   *     null} without one
   * @param afterDelivery called for every message the broker routed and delivered (local function
   *     triggers)
   * @param registry where per-route counters live
   */
  public GatewayRouter(
      List<RouteConfig> routes,
      Spool spool,
      CloudPayloadLimit limit,
      Consumer<BrokerMessage> afterDelivery,
      MeterRegistry registry) {
    this.cloud = new CloudRoutes(routes, spool, limit, registry);
    this.afterDelivery = afterDelivery;
  }

  /**
   * Swaps in new routes (config reload); messages already being spooled finish under the old ones.
   */
  public void reroute(List<RouteConfig> routes) {
    this.cloud = cloud.withRoutes(routes);
  }

  @Override
  public Future<Void> route(BrokerMessage message) {
    CompletableFuture<Void> durable = cloud.spool(message);
    if (durable.isDone() && !durable.isCompletedExceptionally()) {
      return Future.succeededFuture();
    }
    Context context = Vertx.currentContext();
    Future<Void> result =
        context == null
            ? Future.fromCompletionStage(durable)
            : Future.fromCompletionStage(durable, context);
    return result.recover(failure -> Future.failedFuture(rejection(failure)));
  }

  @Override
  public void delivered(BrokerMessage message) {
    afterDelivery.accept(message);
  }

  /**
   * What the broker answers the publisher when spooling failed: a full spool is quota exceeded, an
   * unavailable one an unspecified error, a message too large for the cloud quota exceeded counted
   * as a {@code too-large} drop (each as a {@link RouteRejectedException}, whose reason code the
   * broker sends); anything else is passed on as it is.
   */
  static Throwable rejection(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof SpoolFullException) {
      return new RouteRejectedException(QUOTA_EXCEEDED, cause.getMessage());
    }
    if (cause instanceof SpoolUnavailableException) {
      return new RouteRejectedException(UNSPECIFIED_ERROR, cause.getMessage());
    }
    if (cause instanceof TooLargeForCloudException) {
      return new RouteRejectedException(
          TOO_LARGE, cause.getMessage(), RouteRejectedException.DROP_TOO_LARGE);
    }
    return cause;
  }
}
