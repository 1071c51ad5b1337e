package io.outpost.sim.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.sim.client.ConnectionSettings;
import io.outpost.sim.client.MqttVersion;
import io.outpost.sim.consume.ConsumeSummary;
import io.outpost.sim.consume.Consumer;
import io.outpost.sim.consume.ConsumerOptions;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.support.MoquetteBroker;
import io.outpost.sim.support.Threads;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A real fleet against a real broker (Moquette), checked by a real consumer. */
class FleetIT {

  private final SimClock clock = SimClock.system();
  private MoquetteBroker broker;

  @BeforeEach
  void startBroker() throws Exception {
    broker = new MoquetteBroker();
  }

  @AfterEach
  void stopBroker() {
    broker.close();
    Threads.awaitNoneLeft();
  }

  @ParameterizedTest(name = "QoS {0}")
  @ValueSource(ints = {0, 1, 2})
  void everyMessageIsAckedAndDeliveredOnceInOrder(int qos) throws Exception {
    ConnectionSettings settings = ConnectionSettings.plain(broker.uri(), MqttVersion.V3_1_1);
    try (Consumer consumer =
        new Consumer(
            ConsumerOptions.of(settings.withAutomaticReconnect(false)).withExpectation(20, 5),
            clock)) {
      consumer.start();
      RunSummary run = runFleet(FleetOptions.of(settings, 5, 20).withQos(qos).withRate(100));
      consumer.awaitCompletion();
      consumer.close();
      ConsumeSummary received = consumer.summary(List.of());

      assertThat(run.connectedDevices()).isEqualTo(5);
      assertThat(run.sent()).isEqualTo(100);
      assertThat(run.acked()).isEqualTo(100);
      assertThat(run.failed()).isZero();
      assertThat(run.ackLatency().count()).isEqualTo(100);
      assertThat(received.received()).isEqualTo(100);
      assertThat(received.sequence().devices()).isEqualTo(5);
      assertThat(received.sequence().lost()).isZero();
      assertThat(received.sequence().duplicates()).isZero();
      assertThat(received.sequence().outOfOrder()).isZero();
      assertThat(received.endToEndLatency().count()).isEqualTo(100);
    }
  }

  @Test
  void unlimitedRateIsBoundedByTheWindowAndLosesNothingAtQos1() throws Exception {
    ConnectionSettings settings = ConnectionSettings.plain(broker.uri(), MqttVersion.V3_1_1);
    FleetOptions options = FleetOptions.of(settings, 2, 2000).withRate(0);
    try (Consumer consumer =
        new Consumer(
            ConsumerOptions.of(settings.withAutomaticReconnect(false)).withExpectation(2000, 2),
            clock)) {
      consumer.start();
      RunSummary run = runFleet(options);
      consumer.awaitCompletion();
      consumer.close();

      assertThat(run.acked()).isEqualTo(4000);
      assertThat(run.unackedAtEnd()).isZero();
      assertThat(consumer.summary(List.of()).sequence().lost()).isZero();
    }
  }

  @Test
  void durationLimitStopsAnOpenEndedFleet() throws Exception {
    ConnectionSettings settings = ConnectionSettings.plain(broker.uri(), MqttVersion.V3_1_1);
    FleetOptions base = FleetOptions.of(settings, 3, 1);
    FleetOptions options =
        new FleetOptions(
            settings,
            3,
            "dur-",
            base.topic(),
            base.payload(),
            1,
            20,
            Duration.ofMillis(300),
            Duration.ofSeconds(1),
            0,
            10,
            2,
            Duration.ofSeconds(10),
            1);

    RunSummary run = runFleet(options);

    assertThat(run.sent()).isPositive();
    assertThat(run.acked()).isEqualTo(run.sent());
    assertThat(run.unackedAtEnd()).isZero();
  }

  @Test
  void brokerThatNeverAnswersCountsConnectFailuresInsteadOfHanging() throws Exception {
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      ConnectionSettings base =
          ConnectionSettings.plain("tcp://127.0.0.1:" + silent.getLocalPort(), MqttVersion.V3_1_1);
      ConnectionSettings settings =
          new ConnectionSettings(
              base.serverUri(),
              base.version(),
              null,
              null,
              null,
              false,
              true,
              base.sessionExpiry(),
              base.keepAlive(),
              Duration.ofSeconds(1),
              base.maxInflight(),
              false);

      RunSummary run = runFleet(FleetOptions.of(settings, 2, 5));

      assertThat(run.connectFailures()).isEqualTo(2);
      assertThat(run.connectedDevices()).isZero();
      assertThat(run.sent()).isZero();
    }
  }

  @Test
  void progressSamplesCountSentAndAcked() throws Exception {
    ConnectionSettings settings = ConnectionSettings.plain(broker.uri(), MqttVersion.V3_1_1);
    try (Fleet fleet = new Fleet(FleetOptions.of(settings, 1, 50).withRate(100), clock)) {
      fleet.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> fleet.sample(1).acked() >= 10);
      fleet.awaitCompletion();

      assertThat(fleet.sample(2_000_000_000L).acked()).isEqualTo(50);
      assertThat(fleet.sample(3_000_000_000L).ratePerSecond()).isZero();
    }
  }

  private RunSummary runFleet(FleetOptions options) throws InterruptedException {
    try (Fleet fleet = new Fleet(options, clock)) {
      fleet.start();
      fleet.awaitCompletion();
      return fleet.summary(List.of());
    }
  }
}
