package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.outpost.sync.MosquittoCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code cloud.username} and {@code cloud.password} against a Mosquitto that admits one user: the
 * right password drains the spool over both MQTT versions, a wrong one is refused and the link's
 * error names the refusal without the password.
 */
class CloudPasswordTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String PASSWORD = "s3cret-pw";

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TestResources resources = new TestResources();
  private MosquittoCloud cloud;
  private SqliteSpool spool;

  @BeforeEach
  void setUp() throws Exception {
    cloud =
        MosquittoCloud.startWithUser(
            Files.createDirectories(dir.resolve("broker")), "edge", PASSWORD);
    resources.add(cloud);
    spool = SqliteSpool.open(SpoolOptions.in(dir.resolve("spool")), registry, Clock.systemUTC());
    resources.add(spool);
  }

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  private CloudLink link(MqttVersion version, String password) throws Exception {
    CloudOptions options =
        CloudOptions.of(cloud.url(), "edge-pw")
            .with(
                b ->
                    b.mqttVersion(version)
                        .username("edge")
                        .password(new Secret(password))
                        .backoff(new BackoffOptions(50L, 500L, 2.0, 0.5)));
    CloudLink link = resources.link(options, spool, registry);
    link.start().get(10, TimeUnit.SECONDS);
    return link;
  }

  private void spoolOne() throws Exception {
    spool
        .append(
            new SpoolEntry(
                "r",
                0,
                "devices/d/t",
                "21.5".getBytes(StandardCharsets.UTF_8),
                1,
                0,
                List.of(),
                null,
                "dev",
                System.currentTimeMillis()))
        .get(10, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @EnumSource(MqttVersion.class)
  void theRightPasswordConnectsAndDrains(MqttVersion version) throws Exception {
    spoolOne();
    CloudLink link = link(version, PASSWORD);

    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
    assertThat(link.status().state()).isEqualTo(CloudLinkState.ONLINE);
  }

  @ParameterizedTest
  @EnumSource(MqttVersion.class)
  void aWrongPasswordIsRefusedAndNeverShown(MqttVersion version) throws Exception {
    spoolOne();
    CloudLink link = link(version, "wrong-" + PASSWORD);

    await().atMost(WAIT).until(() -> link.status().lastError() != null);
    CloudLinkStatus status = link.status();
    assertThat(status.state()).isNotEqualTo(CloudLinkState.ONLINE);
    assertThat(status.lastError()).doesNotContain(PASSWORD);
    assertThat(spool.stats().depth()).as("nothing left the spool").isEqualTo(1);
  }
}
