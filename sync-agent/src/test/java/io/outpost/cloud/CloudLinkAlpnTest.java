package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.outpost.testkit.StandInCloud;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cloud link through an AWS-IoT-style port-443 endpoint: mutual TLS from PEM files and ALPN
 * {@code x-amzn-mqtt-ca}, which the endpoint requires (without it, it closes the connection).
 * Proves the protocol reaches the server through Paho, not only through a bare socket, and that the
 * spool drains over it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloudLinkAlpnTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TestResources resources = new TestResources();
  private TestPki pki;
  private SqliteSpool spool;
  private StandInCloud cloud;
  private AlpnTlsFront front;

  @BeforeEach
  void setUp() throws Exception {
    pki = TestPki.in(Files.createDirectories(dir.resolve("pki")));
    pki.ca("cloud-ca");
    pki.server("cloud", "cloud-ca", "IP:127.0.0.1,DNS:localhost");
    pki.device("device", "cloud-ca", "edge-alpn-1");
    cloud = StandInCloud.start();
    resources.add(cloud);
    front =
        new AlpnTlsFront(
            pki.file("cloud.pem"), pki.file("cloud.key"), pki.file("cloud-ca.pem"), cloud.port());
    resources.add(front);
    spool = SqliteSpool.open(SpoolOptions.in(dir.resolve("spool")), registry, Clock.systemUTC());
    resources.add(spool);
  }

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  private CloudLink link(TlsOptions tls) {
    // Moquette, behind the front, speaks MQTT 3.1.1 only
    CloudOptions options =
        CloudOptions.of(front.url(), "edge-alpn-1")
            .withMqttVersion(MqttVersion.V3_1_1)
            .withTls(tls)
            .withBackoff(new BackoffOptions(50L, 500L, 2.0, 0.5));
    CloudLink link = resources.link(options, spool, registry);
    return link;
  }

  private void append(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      spool
          .append(
              new SpoolEntry(
                  "telemetry",
                  0,
                  "devices/d/" + i,
                  ("v" + i).getBytes(StandardCharsets.UTF_8),
                  1,
                  0,
                  List.of(),
                  null,
                  "dev",
                  System.currentTimeMillis()))
          .get(10, TimeUnit.SECONDS);
    }
  }

  private TlsOptions withAlpn(String protocol) {
    TlsOptions tls = pki.tls("device", "cloud-ca");
    return new TlsOptions(tls.certFile(), tls.keyFile(), tls.caFile(), protocol);
  }

  @Test
  void drainsThroughAnEndpointThatRequiresAlpn() throws Exception {
    append(5);
    link(withAlpn(AlpnTlsFront.PROTOCOL)).start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> cloud.count("devices/#") == 5);
    assertThat(cloud.received("devices/#"))
        .extracting(StandInCloud.Received::text)
        .containsExactly("v0", "v1", "v2", "v3", "v4");
    assertThat(front.negotiated()).isNotEmpty().allMatch(AlpnTlsFront.PROTOCOL::equals);
    await().atMost(WAIT).until(() -> spool.stats().depth() == 0);
  }

  @Test
  void withoutAlpnTheEndpointTurnsTheLinkAwayAndTheSpoolKeepsEverything() throws Exception {
    append(3);
    link(withAlpn(null)).start().get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> front.negotiated().size() >= 2);
    assertThat(front.negotiated()).allMatch(String::isEmpty);
    assertThat(cloud.count("devices/#")).isZero();
    assertThat(spool.stats().depth()).isEqualTo(3);
  }
}
