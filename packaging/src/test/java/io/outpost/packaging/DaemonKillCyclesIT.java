package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.testkit.FaultProxy;
import io.outpost.testkit.StandInCloud;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's promise under crashes, through the shipped jar: a message a device got a PUBACK for
 * is never lost, whenever the daemon dies. {@value #CYCLES} times, the daemon is SIGKILLed at a
 * random point and started again on the same data directory: alternately while devices publish and
 * the cloud is unreachable (messages only reach the spool), and while it drains the backlog into a
 * reachable cloud with devices still publishing (kills racing cloud PUBACKs and spool deletes).
 * Finally, with the cloud reachable, every acknowledged id must arrive, and duplicates stay within
 * what {@code cloud.inflightWindow} and {@code cloud.pendingDeletes} allow: at most a window plus
 * the acknowledged publishes not yet deleted per kill during a drain.
 *
 * <p>Kill points come from a seeded {@link Random}. The seed is printed and named in every failure
 * message; {@code -Doutpost.killcycles.seed=N} replays the same schedule (the timing of a real
 * process still varies, so what a kill interrupts varies too; the assertions do not depend on it).
 */
class DaemonKillCyclesIT {

  private static final int CYCLES = 20;

  /**
   * {@code cloud.inflightWindow}: the most one kill during the drain may make the cloud receive
   * twice.
   */
  private static final int WINDOW = 32;

  /**
   * {@code cloud.pendingDeletes}: acknowledged publishes whose delete may still be uncommitted at a
   * kill, so also sent twice.
   */
  private static final int PENDING_DELETES = 64;

  private static final int DEVICES = 3;

  /** An ingest kill comes after 0 to this many acknowledgements in its cycle. */
  private static final int MAX_ACKS_BEFORE_KILL = 400;

  /**
   * A drain kill comes after 1 to this many arrivals at the cloud in its cycle, at most the
   * backlog's size.
   */
  private static final int MAX_ARRIVALS_BEFORE_KILL = 1500;

  private static final String TELEMETRY = "devices/+/telemetry";
  private static final String SEED_PROPERTY = "outpost.killcycles.seed";
  private static final long STEP_TIMEOUT_SECONDS = 30;
  private static final int TRAINING_MESSAGES = 200;

  @TempDir static Path shared;

  /** JVM options of every start; see {@link #makeClassDataArchive()}. */
  private static List<String> fastStart;

  @TempDir Path dir;
  @TempDir Path storage;

  private final long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
  private final Random random = new Random(seed);

  /** Ids whose publish completed, i.e. whose PUBACK the device received. */
  private final Set<String> acked = ConcurrentHashMap.newKeySet();

  /** How often the stand-in cloud received each id. */
  private final Map<String, Integer> arrivals = new ConcurrentHashMap<>();

  private final Tripwire acks = new Tripwire();
  private final Tripwire arrived = new Tripwire();

  /** Next sequence number per device, across cycles: no id is ever published twice. */
  private final AtomicLong[] sequences =
      Stream.generate(AtomicLong::new).limit(DEVICES).toArray(AtomicLong[]::new);

  private final List<PublishingDevice> devices = new ArrayList<>();

  /** The daemons' WARN and ERROR lines, by cycle. */
  private final List<String> complaints = new ArrayList<>();

  private StandInCloud cloud;
  private FaultProxy link;
  private Path config;

  /** Read by the tripwires' callback threads. */
  private volatile LaunchedDaemon daemon;

  private String phase = "setup";
  private long readyMillis;

  /**
   * Twenty-one starts dominate the run time: on 2 cores a fresh JVM takes ~2.5 s to report ready
   * and another ~1 s to serve its first connections. The packaged launcher maps a class-data
   * archive for that ({@code outpost update-cds-archive}); this class does the same: one training
   * run, with a device publishing through it to a cloud and stopped with SIGTERM, writes an archive
   * that every start of this class maps. C1 only and the serial collector keep the JIT from
   * competing with the daemon for the two cores; no perf data file, so that SIGKILLs leave no
   * {@code /tmp/hsperfdata_*} behind. Without an archive (another JVM) the test only runs slower.
   */
  @BeforeAll
  static void makeClassDataArchive() throws Exception {
    Path archive = shared.resolve("outpost.jsa");
    List<String> options =
        List.of(
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData",
            "-Djava.io.tmpdir=" + Files.createDirectories(shared.resolve("tmp")));
    try (StandInCloud trainingCloud = StandInCloud.start()) {
      Path training =
          Files.writeString(
              shared.resolve("training.yaml"),
              """
          broker: {listeners: [{host: 127.0.0.1, port: 0}]}
          storage: {dir: %s}
          cloud: {url: "%s", clientId: edge-training, mqttVersion: "3.1.1"}
          routes: [{name: telemetry, from: local, filter: "%s", to: cloud}]
          admin: {listen: "127.0.0.1:0"}
          """
                  .formatted(
                      Files.createDirectories(shared.resolve("data")),
                      trainingCloud.url(),
                      TELEMETRY));
      try (LaunchedDaemon trainee =
          LaunchedDaemon.jar(
              shared,
              concat(options, "-XX:ArchiveClassesAtExit=" + archive),
              "run",
              "--config",
              training.toString())) {
        int port = trainee.awaitReady(90).mqttPort();
        CountDownLatch acknowledged = new CountDownLatch(TRAINING_MESSAGES);
        try (PublishingDevice device =
            new PublishingDevice(
                port, "trainee", new AtomicLong(), id -> acknowledged.countDown())) {
          device.beginConnect().waitForCompletion(TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));
          device.start();
          assertThat(acknowledged.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
              .as(trainee.output())
              .isTrue();
          device.disconnect();
        }
        await()
            .atMost(Duration.ofSeconds(STEP_TIMEOUT_SECONDS))
            .until(() -> trainingCloud.count(TELEMETRY) >= TRAINING_MESSAGES);
        trainee.terminate();
        assertThat(trainee.awaitExit(60)).as(trainee.output()).isZero();
      }
    }
    fastStart =
        Files.isRegularFile(archive)
            ? concat(options, "-XX:SharedArchiveFile=" + archive)
            : options;
  }

  @BeforeEach
  void startCloud() throws Exception {
    cloud = StandInCloud.start();
    cloud.subscribe(
        TELEMETRY,
        r -> {
          arrivals.merge(r.text(), 1, Integer::sum);
          arrived.record();
        });
    link = FaultProxy.toTcp(cloud.port());
    config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        cloud:
          url: tcp://127.0.0.1:%d
          clientId: edge-kill
          mqttVersion: "3.1.1"
          inflightWindow: %d
          pendingDeletes: %d
          backoff: {initialMillis: 100, maxMillis: 500}
        routes:
          - {name: telemetry, from: local, filter: "%s", to: cloud}
        admin: {listen: "127.0.0.1:0"}
        """
                .formatted(storage, link.port(), WINDOW, PENDING_DELETES, TELEMETRY));
  }

  @AfterEach
  void tearDown() throws Exception {
    // the daemon first: devices then see their connections close instead of having to be
    // disconnected
    closeAll(daemon, this::closeDevices, link, cloud);
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void everyAcknowledgedMessageReachesTheCloudAcrossTwentyKillsDuringIngestAndDrain()
      throws Exception {
    long started = System.nanoTime();
    System.out.printf("DaemonKillCyclesIT seed %d (replay: -D%s=%d)%n", seed, SEED_PROPERTY, seed);
    int drainKills = 0;
    int drainsInterrupted = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      long cycleStarted = System.nanoTime();
      boolean drain = cycle % 2 == 1;
      // drawn first, the same two numbers every cycle, so that a seed replays the same kill points
      int ackKill = random.nextInt(MAX_ACKS_BEFORE_KILL + 1);
      double arrivalKill = random.nextDouble();
      Set<String> backlog = Set.copyOf(unarrived());
      phase = "cycle " + cycle + (drain ? " (drain)" : " (ingest)");
      // The cloud is out of reach until the devices are connected, also in a drain cycle: a daemon
      // killed while a
      // device's Paho client connects parks Paho's "MQTT Con" thread for good
      // (sync-agent/README.md, known limits),
      // and a backlog of a few hundred drains in less time than three devices take to connect. So
      // the daemon's first
      // attempt is refused (the proxy holds it for 1 s), the drain starts with its reconnection,
      // and the devices and
      // the kill point are started when the first message arrives.
      link.refuse(true);
      connectDevices(startDaemon().mqttPort());
      long killAfter;
      CountDownLatch killPoint;
      if (drain) {
        CountDownLatch drainBegan = arrived.arm(1, () -> {});
        link.refuse(false);
        if (unarrived().isEmpty()) {
          devices.forEach(
              PublishingDevice::start); // nothing spooled: the devices' live traffic is what drains
        }
        assertThat(drainBegan.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .as(context("drain began"))
            .isTrue();
        killAfter =
            1 + (long) (arrivalKill * Math.min(unarrived().size(), MAX_ARRIVALS_BEFORE_KILL));
        killPoint = arrived.arm(killAfter, this::signalKill);
      } else {
        killAfter = ackKill;
        killPoint = acks.arm(killAfter, this::signalKill);
      }
      phase += ", kill after " + killAfter + (drain ? " arrivals" : " acknowledgements");
      devices.forEach(PublishingDevice::start);
      assertThat(killPoint.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as(context("kill point not reached"))
          .isTrue();
      // sent already by the tripwire; again does no harm
      assertThat(daemon.kill(30))
          .as(context("SIGKILL ended the daemon"))
          .isEqualTo(LaunchedDaemon.KILLED);
      closeDevices();
      collectComplaints();

      long left = backlog.stream().filter(id -> !arrivals.containsKey(id)).count();
      if (drain) {
        drainKills++;
        drainsInterrupted += left > 0 ? 1 : 0;
      }
      System.out.printf(
          "%-58s earlier backlog %4d -> %4d; acknowledged %5d, arrived %5d, duplicates %3d; %4d ms "
              + "(ready %4d ms)%n",
          phase,
          backlog.size(),
          left,
          acked.size(),
          arrivals.size(),
          duplicates(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cycleStarted),
          readyMillis);
    }

    phase = "recovery";
    link.refuse(false);
    LaunchedDaemon.Endpoints endpoints = startDaemon();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(unarrived())
                    .as(context("acknowledged but never at the cloud"))
                    .isEmpty());
    AdminHttp admin = new AdminHttp(endpoints.adminPort(), storage);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(MetricsScrape.parse(admin.get("metrics")).value("outpost_spool_depth"))
                    .as(context("spool empty after the drain"))
                    .isZero());
    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(context("graceful stop")).isZero();
    collectComplaints();

    long duplicates = duplicates();
    long bound = (long) (WINDOW + PENDING_DELETES) * (drainKills + 1);
    long unackedArrivals = arrivals.keySet().stream().filter(id -> !acked.contains(id)).count();
    System.out.printf(
        "DaemonKillCyclesIT seed %d: %d cycles (%d drain kills, %d mid-backlog) in %d ms; "
            + "%d acknowledged, all arrived; %d arrived without a PUBACK to the device; %d duplicates (bound %d)%n",
        seed,
        CYCLES,
        drainKills,
        drainsInterrupted,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        acked.size(),
        unackedArrivals,
        duplicates,
        bound);
    complaints.forEach(System.out::println);
    assertThat(unarrived()).as(context("lost")).isEmpty();
    assertThat(complaints)
        .as(context("no daemon logged an error (a SIGKILL must not corrupt the spool)"))
        .noneMatch(line -> line.contains(" ERROR "));
    assertThat(duplicates)
        .as(
            context(
                "duplicates within one window ("
                    + WINDOW
                    + ") plus pendingDeletes ("
                    + PENDING_DELETES
                    + ") per drain kill, plus one"))
        .isLessThanOrEqualTo(bound);
    assertThat(acked)
        .as(context("the cycles acknowledged enough to mean something"))
        .hasSizeGreaterThan(CYCLES * 10);
    assertThat(drainsInterrupted)
        .as(context("drain kills before an earlier backlog was through"))
        .isPositive();
  }

  private LaunchedDaemon.Endpoints startDaemon() throws Exception {
    Path tmp =
        Files.createDirectories(
            dir.resolve("tmp")); // SQLite's native library, left behind by every SIGKILL
    long started = System.nanoTime();
    daemon =
        LaunchedDaemon.jar(
            dir,
            concat(fastStart, "-Djava.io.tmpdir=" + tmp),
            "run",
            "--config",
            config.toString());
    LaunchedDaemon.Endpoints endpoints = daemon.awaitReady(60);
    readyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    return endpoints;
  }

  /** The tripwire's action: SIGKILL to the daemon of this cycle, if it has started. */
  private void signalKill() {
    LaunchedDaemon current = daemon;
    if (current != null) {
      current.signalKill();
    }
  }

  /**
   * Connects every device, all at once: a Paho 3 connect takes ~300 ms however fast the broker
   * answers. They start publishing when the kill point is armed.
   */
  private void connectDevices(int port) throws MqttException {
    List<IMqttToken> connecting = new ArrayList<>();
    for (int i = 0; i < DEVICES; i++) {
      PublishingDevice device =
          new PublishingDevice(
              port,
              "device" + i,
              sequences[i],
              id -> {
                acked.add(id);
                acks.record();
              });
      devices.add(device);
      connecting.add(device.beginConnect());
    }
    for (IMqttToken token : connecting) {
      token.waitForCompletion(TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));
    }
  }

  private void closeDevices() throws Exception {
    List<PublishingDevice> closing = List.copyOf(devices);
    devices.clear();
    closeAll(closing.toArray(AutoCloseable[]::new));
  }

  private void collectComplaints() {
    String where = phase;
    daemon
        .output()
        .lines()
        .filter(line -> line.contains(" ERROR ") || line.contains(" WARN "))
        .forEach(line -> complaints.add(where + ": " + line));
  }

  /** Arrivals beyond the first of each id. */
  private long duplicates() {
    return arrivals.values().stream().mapToLong(n -> n - 1).sum();
  }

  /** Acknowledged ids the cloud has not received (yet), sorted. */
  private List<String> unarrived() {
    return acked.stream().filter(id -> !arrivals.containsKey(id)).sorted().toList();
  }

  private String context(String what) {
    String stops =
        devices.stream()
            .map(PublishingDevice::stopReason)
            .filter(r -> !r.isEmpty())
            .collect(Collectors.joining("; "));
    return "seed "
        + seed
        + " (replay: -D"
        + SEED_PROPERTY
        + "="
        + seed
        + "), "
        + phase
        + ": "
        + what
        + (stops.isEmpty() ? "" : "; devices stopped: " + stops)
        + (daemon == null ? "" : "\nlast daemon output:\n" + daemon.outputTail(40));
  }

  private static List<String> concat(List<String> list, String more) {
    List<String> all = new ArrayList<>(list);
    all.add(more);
    return all;
  }

  /**
   * Closes every non-null resource even when one fails; the first failure is thrown, the others
   * suppressed.
   */
  private static void closeAll(AutoCloseable... resources) throws Exception {
    Exception first = null;
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
