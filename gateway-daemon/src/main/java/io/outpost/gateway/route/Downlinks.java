package io.outpost.gateway.route;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageProperties;
import io.outpost.cloud.CloudMessage;
import io.outpost.cloud.DownlinkHandler;
import io.outpost.gateway.config.RouteConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code cloud → local} routes: the cloud-side filters the cloud link subscribes to, and
 * delivery of each message that arrives into the local broker under its rewritten topic. The cloud
 * gets its PUBACK once the local broker took the message in for every matching route (see {@link
 * DownlinkHandler}).
 */
public final class Downlinks implements DownlinkHandler {

  /** Client id that local subscribers and functions see as the publisher of cloud messages. */
  public static final String PUBLISHER = "$cloud";

  private static final Logger LOG = LoggerFactory.getLogger(Downlinks.class);

  private volatile List<CompiledRoute> routes;
  private final Function<BrokerMessage, Future<Void>> publishLocal;
  private final Clock clock;
  private final MeterRegistry registry;

  public Downlinks(
      List<RouteConfig> configs,
      Function<BrokerMessage, Future<Void>> publishLocal,
      Clock clock,
      MeterRegistry registry) {
    this.registry = registry;
    this.routes = compile(configs, registry);
    this.publishLocal = publishLocal;
    this.clock = clock;
  }

  private static List<CompiledRoute> compile(List<RouteConfig> configs, MeterRegistry registry) {
    return configs.stream()
        .filter(r -> r.from() == RouteConfig.Side.CLOUD && r.to() == RouteConfig.Side.LOCAL)
        .map(r -> CompiledRoute.of(r, registry))
        .toList();
  }

  /** The filters the cloud link must subscribe to. */
  public List<String> cloudFilters() {
    return routes.stream().map(r -> r.config().filter()).distinct().toList();
  }

  /**
   * The cloud-side filters {@code configs} would subscribe to, to tell whether a reload changes
   * subscriptions.
   */
  public static List<String> cloudFilters(List<RouteConfig> configs) {
    return configs.stream()
        .filter(r -> r.from() == RouteConfig.Side.CLOUD && r.to() == RouteConfig.Side.LOCAL)
        .map(RouteConfig::filter)
        .distinct()
        .toList();
  }

  /**
   * Swaps in new routes (config reload). The cloud link keeps its subscriptions, so the caller
   * applies this only when {@link #cloudFilters(List)} is unchanged.
   */
  public void reroute(List<RouteConfig> configs) {
    this.routes = compile(configs, registry);
  }

  @Override
  public CompletionStage<Void> deliver(CloudMessage m) {
    List<CompletableFuture<Void>> taken = new ArrayList<>(1);
    for (CompiledRoute route : routes) {
      if (!route.matches(m.topic())) {
        continue;
      }
      RouteConfig c = route.config();
      int qos = c.qos() != null ? c.qos() : m.qos();
      BrokerMessage local =
          new BrokerMessage(
              route.template().render(m.topic(), PUBLISHER),
              Buffer.buffer(m.payload()),
              qos,
              m.retain(),
              properties(m),
              PUBLISHER,
              clock.millis());
      Future<Void> published =
          publishLocal
              .apply(local)
              .onSuccess(v -> route.routed().increment())
              .onFailure(
                  e ->
                      LOG.warn(
                          "downlink on '{}' via route {} was not delivered locally: {}",
                          m.topic(),
                          route.name(),
                          e.getMessage()));
      taken.add(published.toCompletionStage().toCompletableFuture());
    }
    return CompletableFuture.allOf(taken.toArray(CompletableFuture[]::new));
  }

  /** The MQTT 5 properties a downlink carries on to local subscribers, as the cloud sent them. */
  static MessageProperties properties(CloudMessage m) {
    CloudMessage.Properties p = m.properties();
    return new MessageProperties(
        m.userProperties(),
        p.contentType(),
        p.responseTopic(),
        p.correlationData(),
        p.payloadFormatIndicator(),
        p.messageExpirySeconds());
  }
}
