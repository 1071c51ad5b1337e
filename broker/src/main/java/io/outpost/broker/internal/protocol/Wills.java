package io.outpost.broker.internal.protocol;

import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes will messages of connections that ended without a normal DISCONNECT, after the MQTT 5
 * will delay (bounded by the session expiry). A reconnect of the same client id within the delay
 * cancels the will.
 */
public final class Wills {

  private static final Logger LOG = LoggerFactory.getLogger(Wills.class);

  private final BrokerCore core;
  private final Map<String, Long> timers = new ConcurrentHashMap<>();

  Wills(BrokerCore core) {
    this.core = core;
  }

  void schedule(String clientId, BrokerMessage will, long delaySeconds) {
    if (delaySeconds <= 0) {
      publish(will);
      return;
    }
    long id =
        core.vertx()
            .setTimer(
                delaySeconds * 1000L,
                t -> {
                  if (timers.remove(clientId, t)) {
                    publish(will);
                  }
                });
    Long previous = timers.put(clientId, id);
    if (previous != null) {
      core.vertx().cancelTimer(previous);
    }
  }

  /** Cancels a pending delayed will of {@code clientId}. */
  void cancel(String clientId) {
    Long id = timers.remove(clientId);
    if (id != null) {
      core.vertx().cancelTimer(id);
    }
  }

  /** Cancels every pending will (broker stopping). */
  public void cancelAll() {
    timers.keySet().forEach(this::cancel);
  }

  private void publish(BrokerMessage will) {
    BrokerMessage now =
        new BrokerMessage(
            will.topic(),
            will.payload(),
            will.qos(),
            will.retain(),
            will.props(),
            will.publisherClientId(),
            core.clock().millis());
    core.metrics().received(now.qos());
    core.accept(now, MessageSource.DEVICE)
        .onFailure(
            e -> {
              core.metrics()
                  .routeRejected(
                      e instanceof io.outpost.broker.RouteRejectedException r
                          ? r.reasonCode()
                          : 0x80);
              LOG.warn("will of {} on {} not published", will.publisherClientId(), will.topic(), e);
            });
  }
}
