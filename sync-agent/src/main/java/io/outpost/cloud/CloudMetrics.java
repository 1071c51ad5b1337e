package io.outpost.cloud;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The cloud link's Micrometer meters ({@code outpost.cloud.*}); removed from the registry on stop.
 */
final class CloudMetrics {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  final Counter publishedMessages;
  final Counter publishedBatches;
  final Counter delivered;
  final Counter rejected;
  final Counter redelivered;
  final Counter connectAttempts;
  final Counter connectFailures;
  final Counter connectionsLost;
  final Counter downlinkReceived;
  final Counter downlinkErrors;
  final Counter pausedForDeletes;
  final RateWindow drainRate = new RateWindow(System::nanoTime);

  /**
   * @param inflight publishes awaiting PUBACK
   * @param pendingDeletes publishes the cloud acknowledged whose spool delete is not committed yet
   */
  CloudMetrics(
      MeterRegistry registry,
      CloudLink link,
      Supplier<Number> inflight,
      Supplier<Number> pendingDeletes) {
    this.registry = registry;
    publishedMessages =
        add(
            Counter.builder("outpost.cloud.published")
                .tag("kind", "message")
                .description("Single-message publishes sent to the cloud")
                .register(registry));
    publishedBatches =
        add(
            Counter.builder("outpost.cloud.published")
                .tag("kind", "batch")
                .description("Batch envelopes sent to the cloud")
                .register(registry));
    delivered =
        add(
            Counter.builder("outpost.cloud.delivered")
                .description("Spooled messages the cloud acknowledged")
                .register(registry));
    rejected =
        add(
            Counter.builder("outpost.cloud.rejected")
                .description("Spooled messages the cloud refused (moved to the dead-letter table)")
                .register(registry));
    redelivered =
        add(
            Counter.builder("outpost.cloud.redelivered")
                .description(
                    "In-flight messages returned to the spool after a connection loss (possible duplicates)")
                .register(registry));
    connectAttempts = add(Counter.builder("outpost.cloud.connect.attempts").register(registry));
    connectFailures = add(Counter.builder("outpost.cloud.connect.failures").register(registry));
    connectionsLost = add(Counter.builder("outpost.cloud.connections.lost").register(registry));
    downlinkReceived = add(Counter.builder("outpost.cloud.downlink.received").register(registry));
    downlinkErrors =
        add(
            Counter.builder("outpost.cloud.downlink.errors")
                .description("Downlink messages the daemon's callback threw on")
                .register(registry));
    pausedForDeletes =
        add(
            Counter.builder("outpost.cloud.drain.paused")
                .tag("reason", "pending-deletes")
                .description(
                    "Times the drain stopped sending because cloud.pendingDeletes acknowledged"
                        + " publishes awaited their spool delete")
                .register(registry));
    add(
        Gauge.builder(
                "outpost.cloud.link.up", link, l -> l.state() == CloudLinkState.ONLINE ? 1 : 0)
            .description("1 while connected to the cloud")
            .register(registry));
    add(
        Gauge.builder("outpost.cloud.link.offline", link, l -> l.offlineFor().toMillis() / 1000.0)
            .baseUnit("seconds")
            .description("Time since the link was last online")
            .register(registry));
    add(
        Gauge.builder("outpost.cloud.drain.rate", drainRate, RateWindow::perSecond)
            .description(
                "Spooled messages the cloud acknowledged per second, over the last 9 whole seconds")
            .register(registry));
    add(
        Gauge.builder("outpost.cloud.inflight", inflight)
            .description("Publishes awaiting PUBACK")
            .register(registry));
    add(
        Gauge.builder("outpost.cloud.deletes.pending", pendingDeletes)
            .description(
                "Publishes the cloud acknowledged whose delete from the spool is not committed yet")
            .register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  void close() {
    meters.forEach(registry::remove);
  }
}
