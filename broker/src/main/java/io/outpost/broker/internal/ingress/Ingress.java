package io.outpost.broker.internal.ingress;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageSource;
import io.outpost.broker.PublishRouter;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one path every message entering the broker takes, whatever its {@link MessageSource}: durable
 * routes (when the source is routed), then local delivery (retained copy first when flagged), then
 * the router's {@link PublishRouter#delivered} hook; the returned future completes after all of
 * them, and only then does the caller acknowledge. Authorization happens before, at the edge that
 * knows the client.
 *
 * <p>Hot path: a message that is routed and delivered synchronously (the common case: nothing to
 * retain, every session online) goes through without a chain of futures. One future type
 * throughout: Vert.x {@link Future}.
 */
public final class Ingress {

  private static final Logger LOG = LoggerFactory.getLogger(Ingress.class);

  private final PublishRouter router;
  private final Stage retain;
  private final Delivery delivery;

  /**
   * A step of local delivery that may complete later (a retained copy or a queued message made
   * durable).
   */
  @FunctionalInterface
  public interface Stage {
    Future<Void> apply(BrokerMessage message);
  }

  /** Local delivery: completes with the number of sessions reached. */
  @FunctionalInterface
  public interface Delivery {
    Future<Integer> deliver(BrokerMessage message);
  }

  /**
   * @param router the durable routes and the delivered hook
   * @param retain keeps the retained copy of a message flagged retain
   * @param delivery fans a message out to the matching sessions
   */
  public Ingress(PublishRouter router, Stage retain, Delivery delivery) {
    this.router = router;
    this.retain = retain;
    this.delivery = delivery;
  }

  /**
   * Takes {@code message} through the pipeline; completes with the number of sessions it reached.
   */
  public Future<Integer> accept(BrokerMessage message, MessageSource source) {
    Future<Void> routed = source.routed() ? route(message) : Future.succeededFuture();
    if (routed.succeeded() && !message.retain()) {
      Future<Integer> delivered = deliver(message);
      if (delivered.succeeded()) {
        notifyDelivered(message);
        return delivered;
      }
      return delivered.onSuccess(n -> notifyDelivered(message));
    }
    return routed
        .compose(v -> message.retain() ? retain.apply(message) : Future.<Void>succeededFuture())
        .compose(v -> deliver(message))
        .onSuccess(n -> notifyDelivered(message));
  }

  private Future<Void> route(BrokerMessage message) {
    try {
      Future<Void> f = router.route(message);
      return f == null ? Future.failedFuture(new IllegalStateException("router returned null")) : f;
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Integer> deliver(BrokerMessage message) {
    try {
      return delivery.deliver(message);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void notifyDelivered(BrokerMessage message) {
    try {
      router.delivered(message);
    } catch (RuntimeException e) {
      // the message is routed and delivered: its publisher is acknowledged all the same
      LOG.warn("delivered hook failed for a message on {}", message.topic(), e);
    }
  }
}
