package io.outpost.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.broker.BrokerMessage;
import io.outpost.broker.MessageProperties;
import io.outpost.broker.RouteRejectedException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.spool.OverflowPolicy;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SpooledMessage;
import io.outpost.spool.SqliteSpool;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local → cloud routing against a real SQLite spool. */
class GatewayRouterTest {

  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<BrokerMessage> accepted = new CopyOnWriteArrayList<>();
  private SqliteSpool spool;

  @AfterEach
  void closeSpool() {
    if (spool != null) {
      spool.close();
    }
  }

  private GatewayRouter router(String routesYaml, SpoolOptions options) throws Exception {
    spool = SqliteSpool.open(options.withDir(dir.toString()), registry, Clock.systemUTC());
    List<RouteConfig> routes = new ConfigLoader().parse(routesYaml, "test").routes();
    return new GatewayRouter(routes, spool, accepted::add, registry);
  }

  private static BrokerMessage message(String topic, String clientId, Long expirySeconds) {
    MessageProperties props =
        new MessageProperties(
            List.of(Map.entry("k", "v")), "application/json", null, null, null, expirySeconds);
    return new BrokerMessage(
        topic, Buffer.buffer("{\"v\":1}"), 1, false, props, clientId, System.currentTimeMillis());
  }

  private static void await(Future<Void> f) throws Exception {
    f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private List<SpoolEntry> spooled() throws Exception {
    return spool.lease(100).get(10, TimeUnit.SECONDS).stream().map(SpooledMessage::entry).toList();
  }

  @Test
  void spoolsEachMatchingRouteWithItsRewriteQosPriorityAndTtl() throws Exception {
    GatewayRouter router =
        router(
            """
        routes:
          - {name: raw, from: local, filter: "devices/+/telemetry", to: cloud}
          - {name: site, from: local, filter: "devices/#", to: cloud, topic: "site-1/{clientId}/{topic}",
             priority: 9, ttlSeconds: 3600, qos: 0}
          - {name: other, from: local, filter: "alarms/#", to: cloud, prefix: "x/"}
        """,
            SpoolOptions.defaults());

    await(router.route(message("devices/pump-7/telemetry", "pump-7", null)));

    assertThat(spooled())
        .extracting(
            SpoolEntry::route,
            SpoolEntry::topic,
            SpoolEntry::priority,
            SpoolEntry::ttlMillis,
            SpoolEntry::qos)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "raw", "devices/pump-7/telemetry", RouteConfig.DEFAULT_PRIORITY, 0L, 1),
            org.assertj.core.groups.Tuple.tuple(
                "site", "site-1/pump-7/devices/pump-7/telemetry", 9, 3_600_000L, 0));
    assertThat(registry.get("outpost.route.messages").tag("route", "site").counter().count())
        .isEqualTo(1.0);
    assertThat(
            registry
                .get("outpost.route.spooled")
                .tag("route", "site")
                .tag("priority", "9")
                .gauge()
                .value())
        .isEqualTo(1.0);
    assertThat(accepted)
        .as("functions are triggered once the broker delivered the message")
        .isEmpty();
  }

  @Test
  void carriesPropertiesAndOriginAndUsesTheShorterOfMessageExpiryAndRouteTtl() throws Exception {
    GatewayRouter router =
        router(
            """
        routes: [{name: up, from: local, filter: "#", to: cloud, ttlSeconds: 3600}]
        """,
            SpoolOptions.defaults());

    await(router.route(message("a/b", "dev-1", 60L)));

    assertThat(spooled())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.ttlMillis()).isEqualTo(60_000L);
              assertThat(e.originClientId()).isEqualTo("dev-1");
              assertThat(e.contentType()).isEqualTo("application/json");
              assertThat(e.userProperties()).containsExactly(Map.entry("k", "v"));
              assertThat(new String(e.payload(), java.nio.charset.StandardCharsets.UTF_8))
                  .isEqualTo("{\"v\":1}");
            });
  }

  @Test
  void unmatchedMessageIsAcceptedWithoutTouchingTheSpool() throws Exception {
    GatewayRouter router =
        router(
            """
        routes: [{from: local, filter: "devices/#", to: cloud}]
        """,
            SpoolOptions.defaults());

    await(router.route(message("other/topic", "x", null)));

    assertThat(spool.stats().depth()).isZero();
  }

  @Test
  void deliveredMessagesGoToTheFunctionTriggers() throws Exception {
    GatewayRouter router =
        router(
            """
        routes: [{from: local, filter: "devices/#", to: cloud}]
        """,
            SpoolOptions.defaults());
    BrokerMessage m = message("devices/a/telemetry", "a", null);

    await(router.route(m));
    router.delivered(m);

    assertThat(accepted).containsExactly(m);
  }

  @Test
  void fullSpoolWithRejectNewAnswersQuotaExceededAndDoesNotTriggerFunctions() throws Exception {
    GatewayRouter router =
        router(
            """
        routes: [{from: local, filter: "#", to: cloud}]
        """,
            SpoolOptions.defaults().withMaxBytes(1L).withOverflowPolicy(OverflowPolicy.REJECT_NEW));

    Future<Void> result = router.route(message("a/b", "dev", null));

    assertThat(result.toCompletionStage().toCompletableFuture())
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableThat()
        .havingCause() // the exception itself, not wrapped: the broker reads the reason code off it
        .asInstanceOf(type(RouteRejectedException.class))
        .extracting(RouteRejectedException::reasonCode)
        .isEqualTo(0x97);
    assertThat(accepted).isEmpty();
  }

  @Test
  void rerouteSwapsRoutesForLaterMessages() throws Exception {
    GatewayRouter router =
        router(
            """
        routes: [{name: a, from: local, filter: "a/#", to: cloud}]
        """,
            SpoolOptions.defaults());

    router.reroute(
        new ConfigLoader()
            .parse("routes: [{name: b, from: local, filter: \"b/#\", to: cloud}]", "t")
            .routes());
    await(router.route(message("a/1", "dev", null)));
    await(router.route(message("b/1", "dev", null)));

    assertThat(spooled()).extracting(SpoolEntry::route).containsExactly("b");
  }
}
