package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.spool.DeadLetter;
import io.outpost.spool.DropReason;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.outpost.testkit.FaultProxy;
import io.outpost.testkit.StandInCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud link against Moquette (MQTT 3.1.1) as the stand-in cloud, with a fault-injecting proxy
 * between them.
 */
class CloudLinkTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final BackoffOptions FAST_BACKOFF = new BackoffOptions(50L, 500L, 2.0, 0.5);

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StandInCloud cloud = StandInCloud.start();
  private final TestResources resources = new TestResources();
  private SqliteSpool spool;

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
    cloud.close();
  }

  private SqliteSpool spool() {
    spool = SqliteSpool.open(SpoolOptions.in(dir), registry, Clock.systemUTC());
    resources.add(spool);
    return spool;
  }

  private CloudOptions options(String url) {
    return CloudOptions.of(url, "edge-1")
        .withMqttVersion(MqttVersion.V3_1_1)
        .withBackoff(FAST_BACKOFF);
  }

  private CloudLink link(CloudOptions options, List<String> filters, List<CloudMessage> downlink) {
    CloudLink link =
        new CloudLink(
            options,
            spool,
            filters,
            DownlinkHandler.immediate(downlink::add),
            registry,
            Clock.systemUTC());
    resources.add(link);
    return link;
  }

  private FaultProxy proxy() throws Exception {
    FaultProxy proxy = FaultProxy.toTcp(cloud.port());
    resources.add(proxy);
    return proxy;
  }

  private List<Long> append(int count, String prefix) throws Exception {
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(
          spool.append(
              new SpoolEntry(
                  "telemetry",
                  0,
                  "devices/d1/" + prefix,
                  (prefix + "-" + i).getBytes(StandardCharsets.UTF_8),
                  1,
                  0,
                  List.of(),
                  null,
                  "d1",
                  System.currentTimeMillis())));
    }
    List<Long> ids = new ArrayList<>();
    for (CompletableFuture<Long> future : futures) {
      ids.add(future.get(30, TimeUnit.SECONDS));
    }
    return ids;
  }

  @Test
  void drainsInFifoOrderAndDeletesOnlyWhatTheCloudAcknowledged() throws Exception {
    spool();
    append(500, "m");
    CloudLink link = link(options(cloud.url()), List.of(), new CopyOnWriteArrayList<>());
    link.start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> cloud.count("devices/#") >= 500 && spool.stats().depth() == 0);
    assertThat(link.state()).isEqualTo(CloudLinkState.ONLINE);
    assertThat(link.offlineFor()).isZero();
    List<String> texts =
        cloud.received("devices/#").stream().map(StandInCloud.Received::text).toList();
    assertThat(texts).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(texts.get(i)).isEqualTo("m-" + i);
    }
    assertThat(registry.get("outpost.cloud.delivered").counter().count()).isEqualTo(500);
    assertThat(registry.get("outpost.cloud.link.up").gauge().value()).isEqualTo(1);
  }

  @Test
  void keepsSpoolingWhileTheCloudIsDownAtStartAndDrainsWhenItComesBack() throws Exception {
    spool();
    FaultProxy proxy = proxy();
    proxy.refuse(true);
    CloudLink link = link(options(proxy.url()), List.of(), new CopyOnWriteArrayList<>());
    link.start().get(10, TimeUnit.SECONDS);
    append(200, "offline");

    await()
        .atMost(WAIT)
        .until(() -> registry.get("outpost.cloud.connect.failures").counter().count() >= 2);
    assertThat(link.state()).isIn(CloudLinkState.BACKING_OFF, CloudLinkState.CONNECTING);
    assertThat(spool.stats().depth()).isEqualTo(200);
    assertThat(cloud.count("devices/#")).isZero();

    proxy.refuse(false);
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    assertThat(cloud.count("devices/#")).isEqualTo(200);
    assertThat(link.state()).isEqualTo(CloudLinkState.ONLINE);
  }

  @Test
  void loses_nothing_when_the_cloud_drops_mid_drain_and_duplicates_stay_within_the_window()
      throws Exception {
    spool();
    FaultProxy proxy = proxy();
    int window = 50;
    CloudLink link =
        link(
            options(proxy.url()).withInflightWindow(window),
            List.of(),
            new CopyOnWriteArrayList<>());
    List<Long> ids = append(3000, "cut");
    link.start().get(10, TimeUnit.SECONDS);

    int cuts = 0;
    while (spool.stats().depth() > 0 && cuts < 5) {
      long before = cloud.count("devices/#");
      await()
          .atMost(WAIT)
          .until(() -> cloud.count("devices/#") > before + 100 || spool.stats().depth() == 0);
      proxy.cutAll();
      cuts++;
    }
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);

    List<String> texts =
        cloud.received("devices/#").stream().map(StandInCloud.Received::text).toList();
    Set<String> distinct = new HashSet<>(texts);
    assertThat(distinct).hasSize(ids.size());
    assertThat(texts.size() - distinct.size()).isLessThanOrEqualTo(window * cuts);
    assertThat(registry.get("outpost.cloud.connections.lost").counter().count())
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void retainsOnlineStatusAndTheWillSaysOfflineWhenTheConnectionDies() throws Exception {
    spool();
    FaultProxy proxy = proxy();
    List<String> statuses = new CopyOnWriteArrayList<>();
    MqttClient observer = new MqttClient(cloud.url(), "observer", new MemoryPersistence());
    resources.add(
        () -> {
          if (observer.isConnected()) {
            observer.disconnect();
          }
          observer.close();
        });
    observer.connect();
    observer.subscribe(
        "outpost/edge-1/status",
        1,
        (topic, message) ->
            statuses.add(
                (message.isRetained() ? "retained:" : "live:")
                    + new String(message.getPayload(), StandardCharsets.UTF_8)));
    CloudLink link = link(options(proxy.url()), List.of(), new CopyOnWriteArrayList<>());
    link.start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> statuses.stream().anyMatch(s -> s.contains("\"online\"")));
    assertThat(cloud.received("outpost/edge-1/status"))
        .first()
        .satisfies(r -> assertThat(r.retain()).isTrue());

    proxy.cutAll();
    await().atMost(WAIT).until(() -> statuses.stream().anyMatch(s -> s.contains("\"offline\"")));
    await().atMost(WAIT).until(() -> link.state() == CloudLinkState.ONLINE);

    statuses.clear();
    link.stop().get(30, TimeUnit.SECONDS);
    assertThat(link.state()).isEqualTo(CloudLinkState.STOPPED);
    await().atMost(WAIT).until(() -> statuses.stream().anyMatch(s -> s.contains("\"offline\"")));
  }

  @Test
  void deliversCloudToLocalMessagesToTheCallback() throws Exception {
    spool();
    List<CloudMessage> downlink = new CopyOnWriteArrayList<>();
    CloudLink link = link(options(cloud.url()), List.of("commands/edge-1/#"), downlink);
    link.start().get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> link.state() == CloudLinkState.ONLINE);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              cloud.publish(
                  "commands/edge-1/reboot", "now".getBytes(StandardCharsets.UTF_8), 1, false);
              assertThat(downlink).isNotEmpty();
            });
    assertThat(downlink.get(0).topic()).isEqualTo("commands/edge-1/reboot");
    assertThat(new String(downlink.get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("now");
  }

  @Test
  void aDownlinkTheGatewayHasNotTakenInIsSentAgainAfterAReconnect() throws Exception {
    spool();
    FaultProxy proxy = proxy();
    List<CloudMessage> arrivals = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> takenIn = new CompletableFuture<>();
    CloudLink link =
        new CloudLink(
            options(proxy.url()),
            spool,
            List.of("commands/edge-1/#"),
            message -> {
              arrivals.add(message);
              return takenIn;
            },
            registry,
            Clock.systemUTC());
    resources.add(link);
    link.start().get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> link.state() == CloudLinkState.ONLINE);

    cloud.publish("commands/edge-1/reboot", "now".getBytes(StandardCharsets.UTF_8), 1, false);
    await().atMost(WAIT).until(() -> arrivals.size() == 1);
    proxy.cutAll();

    // no PUBACK went out while the handler had not taken the message in: the persistent session
    // sends it again
    await().atMost(WAIT).until(() -> arrivals.size() >= 2);
    assertThat(arrivals).extracting(CloudMessage::topic).containsOnly("commands/edge-1/reboot");
    takenIn.complete(null);
  }

  @Test
  void changingTheDownlinkFiltersSubscribesAndUnsubscribesWhileOnline() throws Exception {
    spool();
    List<CloudMessage> downlink = new CopyOnWriteArrayList<>();
    CloudLink link = link(options(cloud.url()), List.of("old/#"), downlink);
    link.start().get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> link.state() == CloudLinkState.ONLINE);

    link.downlinkFilters(List.of("new/#")).get(30, TimeUnit.SECONDS);
    cloud.publish("old/a", "dropped".getBytes(StandardCharsets.UTF_8), 1, false);
    cloud.publish("new/a", "kept".getBytes(StandardCharsets.UTF_8), 1, false);

    await().atMost(WAIT).until(() -> !downlink.isEmpty());
    // one publisher, one subscriber connection: had old/# still been subscribed, old/a would have
    // arrived first
    assertThat(downlink).extracting(CloudMessage::topic).containsExactly("new/a");
    assertThat(link.downlinkFilters()).containsExactly("new/#");
  }

  @Test
  void deadLettersMessagesTooLargeForTheCloudWithoutBlockingTheRest() throws Exception {
    spool();
    spool
        .append(
            new SpoolEntry("big", 0, "devices/big", new byte[4096], 1, 0, List.of(), null, null, 0))
        .get(10, TimeUnit.SECONDS);
    append(10, "small");
    CloudLink link =
        link(
            options(cloud.url()).withMaxMessageBytes(1024),
            List.of(),
            new CopyOnWriteArrayList<>());
    link.start().get(10, TimeUnit.SECONDS);

    await()
        .atMost(WAIT)
        .until(() -> cloud.count("devices/d1/#") == 10 && spool.stats().depth() == 0);
    List<DeadLetter> letters = spool.deadLetters(10).get(10, TimeUnit.SECONDS);
    assertThat(letters)
        .singleElement()
        .satisfies(
            l ->
                assertThat(l.reason())
                    .isEqualTo(
                        "too-large: 4096-byte payload does not fit in a cloud publish of at most 1024 bytes"
                            + " (cloud.maxMessageBytes)"));
    assertThat(spool.stats().dropped(DropReason.TOO_LARGE)).isEqualTo(1);
    assertThat(spool.stats().dropped(DropReason.REJECTED_BY_CLOUD)).isZero();
  }

  @Test
  void batchesManyMessagesPerPublishUnderAPublishRateLimit() throws Exception {
    spool();
    List<Long> ids = append(3000, "b");
    CloudOptions options =
        options(cloud.url())
            .withBatching(new BatchingOptions(true, 16 * 1024, 500, null))
            .withRateLimits(20, 0);
    CloudLink link = link(options, List.of(), new CopyOnWriteArrayList<>());
    link.start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    ObjectMapper json = new ObjectMapper();
    Set<Long> delivered = new HashSet<>();
    List<StandInCloud.Received> batches = cloud.received("outpost/edge-1/batch");
    for (StandInCloud.Received batch : batches) {
      assertThat(batch.payload().length).isLessThanOrEqualTo(16 * 1024);
      JsonNode envelope = json.readTree(batch.payload());
      assertThat(envelope.get("v").asInt()).isEqualTo(1);
      assertThat(envelope.get("gateway").asText()).isEqualTo("edge-1");
      for (JsonNode message : envelope.get("messages")) {
        delivered.add(message.get("id").asLong());
        assertThat(message.get("topic").asText()).isEqualTo("devices/d1/b");
        assertThat(
                new String(
                    Base64.getDecoder().decode(message.get("payload").asText()),
                    StandardCharsets.UTF_8))
            .startsWith("b-");
      }
    }
    assertThat(delivered).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(batches.size()).isLessThan(3000 / 10);
    assertThat(registry.get("outpost.cloud.published").tag("kind", "batch").counter().count())
        .isEqualTo(batches.size());
  }

  @Test
  void keepsRetryingAnUnreachableCloudWithBackoffWithoutOpeningTheCircuit() throws Exception {
    spool();
    FaultProxy proxy = proxy();
    proxy.refuse(true);
    CloudLink link =
        link(
            options(proxy.url()).withCircuitBreaker(new CircuitBreakerOptions(3, 60)),
            List.of(),
            new CopyOnWriteArrayList<>());
    link.start().get(10, TimeUnit.SECONDS);

    // a cloud that is down is not a cloud that refuses us: attempts go on past the breaker's
    // threshold
    await()
        .atMost(WAIT)
        .until(() -> registry.get("outpost.cloud.connect.attempts").counter().count() >= 6);
    assertThat(link.state()).isNotEqualTo(CloudLinkState.CIRCUIT_OPEN);
    assertThat(link.offlineFor()).isPositive();

    proxy.refuse(false);
    await().atMost(WAIT).until(() -> link.state() == CloudLinkState.ONLINE);
  }

  @Test
  void stopIsIdempotentAndWorksWithoutStart() throws Exception {
    spool();
    CloudLink idle = link(options(cloud.url()), List.of(), new CopyOnWriteArrayList<>());
    idle.stop().get(10, TimeUnit.SECONDS);
    idle.stop().get(10, TimeUnit.SECONDS);
    assertThat(idle.state()).isEqualTo(CloudLinkState.STOPPED);
    assertThat(idle.start()).isCompleted();
  }
}
