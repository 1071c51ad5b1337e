package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.outpost.testkit.StandInCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud link's control channel: device-management topics apart from the routed downlink,
 * unspooled publishes.
 */
@Timeout(120)
class ControlChannelTest {

  private static final BackoffOptions FAST_BACKOFF = new BackoffOptions(50L, 500L, 2.0, 0.5);

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final StandInCloud cloud = StandInCloud.start();
  private final TestResources resources = new TestResources();

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
    cloud.close();
  }

  @Test
  void matchesExactTopicsAndTrailingMultiLevelFiltersOnly() {
    ControlChannel channel =
        new ControlChannel(
            List.of("$aws/things/t/jobs/#", "$aws/things/t/shadow/get"),
            message -> CompletableFuture.completedFuture(null),
            () -> {});

    assertThat(channel.matches("$aws/things/t/jobs/notify-next")).isTrue();
    assertThat(channel.matches("$aws/things/t/jobs")).isTrue();
    assertThat(channel.matches("$aws/things/t/shadow/get")).isTrue();
    assertThat(channel.matches("$aws/things/t2/jobs/notify-next")).isFalse();
    assertThat(channel.matches("commands/t")).isFalse();
    assertThatThrownBy(
            () -> new ControlChannel(List.of("$aws/things/+/jobs/#"), m -> null, () -> {}))
        .hasMessageContaining("only exact topics and a trailing /# allowed");
  }

  @Test
  void controlMessagesGoToTheChannelAndItsPublishesBypassTheSpool() throws Exception {
    SqliteSpool spool = SqliteSpool.open(SpoolOptions.in(dir), registry, Clock.systemUTC());
    resources.add(spool);
    List<CloudMessage> downlink = new CopyOnWriteArrayList<>();
    List<CloudMessage> control = new CopyOnWriteArrayList<>();
    AtomicInteger online = new AtomicInteger();
    CloudLink link =
        new CloudLink(
            CloudOptions.of(cloud.url(), "edge-1")
                .withMqttVersion(MqttVersion.V3_1_1)
                .withBackoff(FAST_BACKOFF),
            spool,
            List.of("commands/edge-1/#"),
            DownlinkHandler.immediate(downlink::add),
            registry,
            Clock.systemUTC());
    resources.add(link);
    link.control(
        new ControlChannel(
            List.of("$aws/things/edge-1/jobs/#"),
            DownlinkHandler.immediate(control::add),
            online::incrementAndGet));

    assertThatThrownBy(() -> link.publishControl("x", new byte[0], false).get(5, TimeUnit.SECONDS))
        .hasMessageContaining("cloud link offline");
    link.start().get();
    await().atMost(Duration.ofSeconds(30)).until(() -> online.get() == 1);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              cloud.publish(
                  "$aws/things/edge-1/jobs/notify-next",
                  "{}".getBytes(StandardCharsets.UTF_8),
                  1,
                  false);
              cloud.publish(
                  "commands/edge-1/reboot", "now".getBytes(StandardCharsets.UTF_8), 1, false);
              assertThat(control)
                  .extracting(CloudMessage::topic)
                  .contains("$aws/things/edge-1/jobs/notify-next");
              assertThat(downlink)
                  .extracting(CloudMessage::topic)
                  .contains("commands/edge-1/reboot");
            });
    assertThat(downlink)
        .extracting(CloudMessage::topic)
        .doesNotContain("$aws/things/edge-1/jobs/notify-next");

    link.publishControl(
            "$aws/things/edge-1/jobs/start-next", "{}".getBytes(StandardCharsets.UTF_8), false)
        .get(10, TimeUnit.SECONDS);

    assertThat(cloud.received("$aws/things/edge-1/jobs/start-next")).hasSize(1);
    assertThat(spool.stats().depth()).isZero();
  }
}
