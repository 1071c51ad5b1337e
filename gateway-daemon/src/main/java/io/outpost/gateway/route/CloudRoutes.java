package io.outpost.gateway.route;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.cloud.CloudPayloadLimit;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.spool.Spool;
import io.outpost.spool.SpoolEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code local → cloud} routes: every matching message becomes one spool entry per route, and
 * the returned future completes only once all of them are durable. That future gates the device's
 * PUBACK/PUBREC.
 */
final class CloudRoutes {

  private final List<CompiledRoute> routes;
  private final Spool spool;
  private final MeterRegistry registry;

  /**
   * What the cloud link can send; {@code null} without a cloud link (nothing is sent, so nothing is
   * too large).
   */
  private final CloudPayloadLimit limit;

  /**
   * {@code outpost.route.spooled} per route, by its tags; carried over on reload so none is
   * registered twice.
   */
  private final Map<List<String>, Gauge> depthGauges;

  CloudRoutes(
      List<RouteConfig> configs, Spool spool, CloudPayloadLimit limit, MeterRegistry registry) {
    this(configs, spool, limit, registry, Map.of());
  }

  private CloudRoutes(
      List<RouteConfig> configs,
      Spool spool,
      CloudPayloadLimit limit,
      MeterRegistry registry,
      Map<List<String>, Gauge> previousGauges) {
    this.limit = limit;
    this.routes =
        configs.stream()
            .filter(r -> r.from() == RouteConfig.Side.LOCAL && r.to() == RouteConfig.Side.CLOUD)
            .map(r -> CompiledRoute.of(r, registry))
            .toList();
    this.spool = spool;
    this.registry = registry;
    Map<List<String>, Gauge> gauges = new HashMap<>();
    for (CompiledRoute route : routes) {
      String name = route.name();
      String priority = String.valueOf(route.config().priority());
      List<String> key = List.of(name, priority);
      Gauge existing = previousGauges.get(key);
      // Queue length per route: what an operator watches while the link is down.
      gauges.put(
          key,
          existing != null
              ? existing
              : Gauge.builder(
                      "outpost.route.spooled",
                      spool,
                      s -> s.stats().depthByRoute().getOrDefault(name, 0L).doubleValue())
                  .description("Messages of this route waiting in the spool for the cloud")
                  .tag("route", name)
                  .tag("priority", priority)
                  .register(registry));
    }
    previousGauges.forEach(
        (key, gauge) -> {
          if (!gauges.containsKey(key)) {
            registry.remove(
                gauge); // the route is gone (or changed priority): stop exporting its old series
          }
        });
    this.depthGauges = Map.copyOf(gauges);
  }

  /**
   * Spools {@code m} for every matching route; completes when all are durable (at once when none
   * match).
   */
  CompletableFuture<Void> spool(BrokerMessage m) {
    List<CompiledRoute> matching = null;
    List<SpoolEntry> entries = null;
    for (CompiledRoute route : routes) {
      if (route.matches(m.topic())) {
        SpoolEntry entry = entry(route, m);
        if (limit != null && !limit.fits(entry)) {
          // refused before any route spools it: the device gets a negative ack, never an ack and a
          // dead letter
          return CompletableFuture.failedFuture(
              new TooLargeForCloudException(
                  limit.reason(entry.payload().length) + ", route " + route.name()));
        }
        if (matching == null) {
          matching = new ArrayList<>(2);
          entries = new ArrayList<>(2);
        }
        matching.add(route);
        entries.add(entry);
      }
    }
    if (matching == null) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<Long>> appends = new ArrayList<>(matching.size());
    for (int i = 0; i < matching.size(); i++) {
      CompiledRoute route = matching.get(i);
      appends.add(
          spool
              .append(entries.get(i))
              .whenComplete(
                  (id, e) -> {
                    if (e == null) {
                      route.routed().increment();
                    }
                  }));
    }
    return CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new));
  }

  /** The same spool and metrics with other routes (config reload). */
  CloudRoutes withRoutes(List<RouteConfig> configs) {
    return new CloudRoutes(configs, spool, limit, registry, depthGauges);
  }

  private static SpoolEntry entry(CompiledRoute route, BrokerMessage m) {
    RouteConfig c = route.config();
    int qos = c.qos() != null ? c.qos() : Math.min(m.qos(), RouteConfig.DEFAULT_QOS_TO_CLOUD);
    long ttlMillis = c.ttlSeconds() * 1000L;
    Long expiry = m.props().messageExpirySeconds();
    if (expiry != null && (ttlMillis == 0 || expiry * 1000L < ttlMillis)) {
      ttlMillis = Math.max(1, expiry * 1000L); // the publisher's message expiry is a TTL too
    }
    return new SpoolEntry(
        route.name(),
        c.priority(),
        route.template().render(m.topic(), m.publisherClientId()),
        m.payload().getBytes(),
        qos,
        ttlMillis,
        m.props().userProperties(),
        m.props().contentType(),
        m.publisherClientId(),
        m.receivedAtMillis());
  }
}
