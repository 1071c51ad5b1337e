package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.spool.DeadLetter;
import io.outpost.spool.DropReason;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.outpost.sync.MosquittoCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud link over MQTT 5 against Mosquitto: stable ids as user properties, PUBACK reason codes.
 */
class CloudLinkMqtt5Test {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TestResources resources = new TestResources();
  private MosquittoCloud cloud;
  private SqliteSpool spool;

  @BeforeEach
  void setUp() throws Exception {
    Path brokerDir = Files.createDirectories(dir.resolve("broker"));
    cloud = MosquittoCloud.start(brokerDir);
    resources.add(cloud);
    spool = SqliteSpool.open(SpoolOptions.in(dir.resolve("spool")), registry, Clock.systemUTC());
    resources.add(spool);
  }

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  private CloudLink link() {
    CloudOptions options =
        CloudOptions.of(cloud.url(), "edge-5").withBackoff(new BackoffOptions(50L, 500L, 2.0, 0.5));
    CloudLink link = resources.link(options, spool, registry);
    return link;
  }

  private List<MqttMessage> observe(String filter) throws Exception {
    return resources.observe(cloud.url(), filter, message -> message);
  }

  private long append(String topic, String text) throws Exception {
    return spool
        .append(
            new SpoolEntry(
                "r",
                0,
                topic,
                text.getBytes(StandardCharsets.UTF_8),
                1,
                0,
                List.of(Map.entry("site", "north")),
                "text/plain",
                "dev",
                System.currentTimeMillis()))
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void deliversTheStableIdAsAUserPropertyNextToTheOriginalOnes() throws Exception {
    List<MqttMessage> seen = observe("devices/#");
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ids.add(append("devices/d/" + i, "v" + i));
    }
    link().start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> seen.size() >= 20 && spool.stats().depth() == 0);
    List<Long> delivered = new ArrayList<>();
    for (MqttMessage message : seen) {
      List<UserProperty> props = message.getProperties().getUserProperties();
      assertThat(props).contains(new UserProperty("site", "north"));
      delivered.add(
          Long.parseLong(
              props.stream()
                  .filter(p -> p.getKey().equals("outpost-id"))
                  .findFirst()
                  .orElseThrow()
                  .getValue()));
      assertThat(message.getProperties().getContentType()).isEqualTo("text/plain");
    }
    assertThat(delivered).containsExactlyElementsOf(ids);
  }

  @Test
  void deadLettersWhatTheCloudRefusesWithItsReasonCodeAndKeepsDraining() throws Exception {
    List<MqttMessage> seen = observe("devices/#");
    long refused = append("denied/secret", "nope");
    append("devices/ok", "fine");
    link().start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> spool.stats().depth() == 0 && seen.size() == 1);
    List<DeadLetter> letters = spool.deadLetters(10).get(10, TimeUnit.SECONDS);
    assertThat(letters)
        .singleElement()
        .satisfies(
            letter -> {
              assertThat(letter.id()).isEqualTo(refused);
              assertThat(letter.reason()).isEqualTo("puback 0x87 not authorized");
            });
    assertThat(spool.stats().dropped(DropReason.REJECTED_BY_CLOUD)).isEqualTo(1);
    assertThat(registry.get("outpost.cloud.rejected").counter().count()).isEqualTo(1);
  }

  @Test
  void opensTheCircuitWhenTheCloudRefusesTheGateway() throws Exception {
    MosquittoCloud refusing =
        MosquittoCloud.startRefusingEveryone(Files.createDirectories(dir.resolve("refusing")));
    resources.add(refusing);
    CloudOptions options =
        CloudOptions.of(refusing.url(), "edge-5")
            .withBackoff(new BackoffOptions(50L, 500L, 2.0, 0.5))
            .withCircuitBreaker(new CircuitBreakerOptions(3, 60));
    CloudLink link = resources.link(options, spool, registry);
    link.start().get(10, TimeUnit.SECONDS);

    // CONNACK 0x87 (not authorized) three times: the link leaves the cloud alone for the open
    // period
    await().atMost(WAIT).until(() -> link.state() == CloudLinkState.CIRCUIT_OPEN);
    assertThat(registry.get("outpost.cloud.connect.attempts").counter().count()).isEqualTo(3);
  }

  @Test
  void handsDownlinksOnWithEveryMqtt5PropertyTheCloudSent() throws Exception {
    List<CloudMessage> downlinks = new java.util.concurrent.CopyOnWriteArrayList<>();
    CloudLink link =
        new CloudLink(
            CloudOptions.of(cloud.url(), "edge-5")
                .withBackoff(new BackoffOptions(50L, 500L, 2.0, 0.5)),
            spool,
            List.of("commands/#"),
            DownlinkHandler.immediate(downlinks::add),
            registry,
            Clock.systemUTC());
    resources.add(link);
    link.start().get(10, TimeUnit.SECONDS);
    org.eclipse.paho.mqttv5.client.MqttClient operator =
        new org.eclipse.paho.mqttv5.client.MqttClient(
            cloud.url(),
            "operator",
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    resources.add(
        () -> {
          if (operator.isConnected()) {
            operator.disconnect();
          }
          operator.close();
        });
    operator.connect();
    org.eclipse.paho.mqttv5.common.packet.MqttProperties sent =
        new org.eclipse.paho.mqttv5.common.packet.MqttProperties();
    sent.setContentType("text/plain");
    sent.setResponseTopic("replies/edge-5");
    sent.setCorrelationData(new byte[] {7, 0, (byte) 0xFF});
    sent.setPayloadFormat(true);
    sent.setMessageExpiryInterval(600L);
    sent.setUserProperties(List.of(new UserProperty("k", "v")));

    // the link's subscription may still be in flight when start completes: publish until one
    // arrives
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              operator.publish(
                  "commands/reboot",
                  new MqttMessage("now".getBytes(StandardCharsets.UTF_8), 1, false, sent));
              return !downlinks.isEmpty();
            });

    CloudMessage got = downlinks.get(0);
    assertThat(got.userProperties()).contains(Map.entry("k", "v"));
    CloudMessage.Properties p = got.properties();
    assertThat(p.contentType()).isEqualTo("text/plain");
    assertThat(p.responseTopic()).isEqualTo("replies/edge-5");
    assertThat(p.correlationData()).containsExactly(7, 0, 0xFF);
    assertThat(p.payloadFormatIndicator()).isEqualTo(1);
    assertThat(p.messageExpirySeconds()).isBetween(590L, 600L);
  }
}
