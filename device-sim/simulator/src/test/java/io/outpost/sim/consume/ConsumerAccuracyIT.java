package io.outpost.sim.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.sim.client.ConnectionSettings;
import io.outpost.sim.client.MqttVersion;
import io.outpost.sim.fleet.Fleet;
import io.outpost.sim.fleet.FleetOptions;
import io.outpost.sim.fleet.RunSummary;
import io.outpost.sim.measure.SequenceCounts;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.support.FaultInjectingProxy;
import io.outpost.sim.support.MoquetteBroker;
import io.outpost.sim.support.Threads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer reports exactly the faults that were put on the wire: known sequences with gaps,
 * duplicates and reorders published to a real broker, and a real fleet behind a proxy that drops,
 * duplicates and delays chosen PUBLISH packets.
 */
class ConsumerAccuracyIT {

  private final SimClock clock = SimClock.system();
  private MoquetteBroker broker;
  private Consumer consumer;

  @BeforeEach
  void startBroker() throws Exception {
    broker = new MoquetteBroker();
  }

  @AfterEach
  void stopEverything() {
    if (consumer != null) {
      consumer.close();
    }
    broker.close();
    Threads.awaitNoneLeft();
  }

  @Test
  void reportsExactlyThePublishedGapsDuplicatesAndReorders() throws Exception {
    consumer = start(ConsumerOptions.of(consumerSettings()).withExpectation(6, 3));

    publish("dev-a", 1, 2, 4, 4, 3, 6); // 5 lost, one duplicate, 3 out of order
    publish("dev-b", 1, 2, 3); // 4..6 lost (tail); dev-c never sends: 6 lost
    await().atMost(Duration.ofSeconds(20)).until(() -> consumer.sample(1).received() == 9);
    consumer.close();

    ConsumeSummary s = consumer.summary(List.of());
    assertThat(s.sequence()).isEqualTo(new SequenceCounts(2, 9, 1 + 3 + 6, 1, 1, 0, 9));
    assertThat(s.endToEndLatency().count()).isEqualTo(9);
    assertThat(s.undecodable()).isZero();
  }

  @Test
  void reportsBacklogOfMessagesOlderThanTheStaleThreshold() throws Exception {
    consumer =
        start(ConsumerOptions.of(consumerSettings()).withStaleThreshold(Duration.ofSeconds(1)));
    long now = clock.epochMicros();

    try (MqttClient publisher = publisher()) {
      for (int seq = 1; seq <= 5; seq++) { // spooled 30 s ago, arriving only now
        send(publisher, "dev-a", seq, now - 30_000_000L + seq);
      }
      for (int seq = 6; seq <= 8; seq++) { // fresh
        send(publisher, "dev-a", seq, clock.epochMicros());
      }
      publisher.disconnect();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> consumer.sample(1).received() == 8);
    consumer.close();

    ConsumeSummary s = consumer.summary(List.of());
    assertThat(s.drain().backlogMessages()).isEqualTo(5);
    assertThat(s.drain().maxBacklogLatencyMs()).isGreaterThanOrEqualTo(30_000.0);
    assertThat(s.drain().lastBacklogAtSeconds())
        .isGreaterThanOrEqualTo(s.drain().firstBacklogAtSeconds());
    assertThat(s.sequence().lost()).isZero();
  }

  @Test
  void fleetBehindAFaultyLinkIsReportedExactly() throws Exception {
    int devices = 3;
    int perDevice = 30;
    consumer = start(ConsumerOptions.of(consumerSettings()).withExpectation(perDevice, devices));
    int perDeviceDelivered = perDevice - 2 + 1;
    RunSummary run;
    try (FaultInjectingProxy proxy =
        new FaultInjectingProxy("127.0.0.1", broker.port(), Set.of(5, 10), Set.of(7), Set.of(12))) {
      FleetOptions options =
          FleetOptions.of(settings(proxy.uri()), devices, perDevice).withQos(0).withRate(200);
      try (Fleet fleet = new Fleet(options, clock)) {
        fleet.start();
        fleet.awaitCompletion();
        run = fleet.summary(List.of());
      }
      // the proxy stays up until the consumer has it all: closing it drops the QoS 0 packets its
      // relay threads have not forwarded yet, which would count as lost
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> consumer.sample(1).received() == (long) devices * perDeviceDelivered);
    }
    consumer.close();

    assertThat(run.acked()).isEqualTo((long) devices * perDevice);
    SequenceCounts c = consumer.summary(List.of()).sequence();
    assertThat(c.lost()).as("2 dropped per device").isEqualTo(2L * devices);
    assertThat(c.duplicates()).as("1 duplicated per device").isEqualTo(devices);
    assertThat(c.outOfOrder()).as("1 delayed per device").isEqualTo(devices);
    assertThat(c.devices()).isEqualTo(devices);
  }

  private Consumer start(ConsumerOptions options) throws InterruptedException {
    Consumer c = new Consumer(options, clock);
    c.start();
    return c;
  }

  /**
   * The consumer without Paho's automatic reconnect: Moquette 0.17 now and then drops a fresh
   * connection's SUBSCRIBE ("SUBSCRIBE received on already closed connection"); the consumer then
   * starts over, and a reconnect timer of the dropped client could outlive it (Paho cancels it on
   * no public call), which the thread checks would report.
   */
  private ConnectionSettings consumerSettings() {
    return settings(broker.uri()).withAutomaticReconnect(false);
  }

  private static ConnectionSettings settings(String uri) {
    return ConnectionSettings.plain(uri, MqttVersion.V3_1_1);
  }

  private void publish(String device, long... seqs) throws Exception {
    try (MqttClient publisher = publisher()) {
      for (long seq : seqs) {
        send(publisher, device, seq, clock.epochMicros());
      }
      publisher.disconnect();
    }
  }

  private MqttClient publisher() throws Exception {
    MqttClient c = new MqttClient(broker.uri(), "test-publisher", new MemoryPersistence());
    MqttConnectOptions o = new MqttConnectOptions();
    o.setCleanSession(true);
    c.connect(o);
    return c;
  }

  private static void send(MqttClient publisher, String device, long seq, long tsMicros)
      throws Exception {
    String json = "{\"deviceId\":\"" + device + "\",\"seq\":" + seq + ",\"ts\":" + tsMicros + "}";
    publisher.publish(
        "devices/" + device + "/telemetry", json.getBytes(StandardCharsets.UTF_8), 1, false);
  }
}
