package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.outpost.durable.DurableFiles;
import io.outpost.testkit.FaultProxy;
import io.outpost.testkit.LossyFilesystem;
import io.outpost.testkit.StandInCloud;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product's promise under power cuts, through the shipped jar: the daemon's data directory
 * lives on a {@link LossyFilesystem}, and each cycle ends with a SIGKILL <em>and</em> the loss of
 * every write that was not fsync'd (every third cut tears them at page granularity instead). Cycles
 * alternate between ingest with the cloud unreachable and a drain into a reachable cloud with
 * devices still publishing (QoS 1 and QoS 2); the cut lands after a random number of
 * acknowledgements or arrivals. Then every acknowledged id must reach the cloud, duplicates within
 * one {@code cloud.inflightWindow} plus {@code cloud.pendingDeletes} per drain cut, no database
 * moved aside, the broker's retained message and a persistent session's queued message still there.
 *
 * <p>The same run with {@code storage.synchronous: normal} must lose acknowledged messages: the
 * mutation check that proves the harness can see a missing fsync at all.
 *
 * <p>Cut points come from a seeded {@link Random}; {@code -Doutpost.powercut.seed=N} replays the
 * schedule. Skipped, with the reason printed, where FUSE is unavailable ({@link
 * LossyFilesystem#unavailableReason()}).
 */
class PowerCutIT {

  private static final int CYCLES = 12;
  private static final int DEPLOY_CYCLES = 6;

  /**
   * A deployment takes from tens of milliseconds to seconds on a loaded machine: cuts land before,
   * during, after.
   */
  private static final int MAX_DEPLOY_CUT_MILLIS = 3000;

  private static final String FUNCTION = "power-cut-probe";
  private static final int WINDOW = 32;
  private static final int PENDING_DELETES = 64;
  private static final int DEVICES = 3;
  private static final int MAX_ACKS_BEFORE_CUT = 300;
  private static final int MAX_ARRIVALS_BEFORE_CUT = 1000;
  private static final String TELEMETRY = "devices/+/telemetry";
  private static final String SEED_PROPERTY = "outpost.powercut.seed";
  private static final long STEP_TIMEOUT_SECONDS = 30;
  private static final List<String> JVM_OPTIONS =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData");

  @TempDir Path dir;

  private final long seed = Long.getLong(SEED_PROPERTY, System.nanoTime());
  private final Random random = new Random(seed);
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> arrivals = new ConcurrentHashMap<>();
  private final Tripwire acks = new Tripwire();
  private final Tripwire arrived = new Tripwire();
  private final AtomicLong[] sequences =
      Stream.generate(AtomicLong::new).limit(DEVICES).toArray(AtomicLong[]::new);
  private final List<PublishingDevice> devices = new ArrayList<>();
  private final List<String> complaints = new ArrayList<>();
  private final List<String> cuts = new ArrayList<>();

  private LossyFilesystem fs;
  private StandInCloud cloud;
  private FaultProxy link;
  private Path config;
  private Path storage;
  private volatile LaunchedDaemon daemon;
  private String phase = "setup";

  @BeforeAll
  static void requireFuse() {
    Optional<String> reason = LossyFilesystem.unavailableReason();
    reason.ifPresent(r -> System.out.println("PowerCutIT skipped: " + r));
    assumeTrue(reason.isEmpty(), () -> "lossy filesystem unavailable: " + reason.orElseThrow());
  }

  @BeforeEach
  void start() throws Exception {
    fs = LossyFilesystem.mount(dir.resolve("lossy"));
    storage = fs.path().resolve("data");
    cloud = StandInCloud.start();
    cloud.subscribe(
        TELEMETRY,
        r -> {
          arrivals.merge(r.text(), 1, Integer::sum);
          arrived.record();
        });
    link = FaultProxy.toTcp(cloud.port());
  }

  @AfterEach
  void tearDown() throws Exception {
    // the daemon first, so that nothing holds the mount when it goes
    closeAll(daemon, this::closeDevices, fs, link, cloud);
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void everyAcknowledgedMessageAndTheBrokerStoreSurvivePowerCutsDuringIngestAndDrain()
      throws Exception {
    writeConfig("full");
    long started = System.nanoTime();
    System.out.printf("PowerCutIT seed %d (replay: -D%s=%d)%n", seed, SEED_PROPERTY, seed);

    // broker state a cut must not take: a retained message and a message queued for an offline
    // persistent session
    link.refuse(true);
    int port = startDaemon().mqttPort();
    publishOnce(port, "site/config", "retained-v1", true);
    try (MqttClient watcher = client(port, "watcher")) {
      watcher.connect(options(false));
      watcher.subscribe("alerts/#", 1);
      watcher.disconnect();
    }
    publishOnce(port, "alerts/pump", "queued-for-watcher", false);

    int drainCuts = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      boolean drain = cycle % 2 == 1;
      int ackCut = random.nextInt(MAX_ACKS_BEFORE_CUT + 1);
      double arrivalCut = random.nextDouble();
      boolean torn = cycle % 3 == 2;
      long tearSeed = random.nextLong();
      phase = "cycle " + cycle + (drain ? " (drain)" : " (ingest)") + (torn ? " torn" : "");
      if (cycle > 0) {
        link.refuse(true);
        port = startDaemon().mqttPort();
      }
      connectDevices(port);
      CountDownLatch cutPoint;
      if (drain) {
        drainCuts++;
        CountDownLatch drainBegan = arrived.arm(1, () -> {});
        link.refuse(false);
        if (unarrived().isEmpty()) {
          devices.forEach(PublishingDevice::start);
        }
        assertThat(drainBegan.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            .as(context("drain began"))
            .isTrue();
        long after =
            1 + (long) (arrivalCut * Math.min(unarrived().size(), MAX_ARRIVALS_BEFORE_CUT));
        phase += ", cut after " + after + " arrivals";
        cutPoint = arrived.arm(after, this::signalKill);
      } else {
        phase += ", cut after " + ackCut + " acknowledgements";
        cutPoint = acks.arm(ackCut, this::signalKill);
      }
      devices.forEach(PublishingDevice::start);
      assertThat(cutPoint.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as(context("cut point reached"))
          .isTrue();
      powerCut(torn, tearSeed);
      System.out.printf(
          "%-62s acknowledged %5d, arrived %5d, duplicates %3d; %s%n",
          phase, acked.size(), arrivals.size(), duplicates(), cuts.get(cuts.size() - 1));
    }

    phase = "recovery";
    link.refuse(false);
    LaunchedDaemon.Endpoints endpoints = startDaemon();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(unarrived())
                    .as(context("acknowledged but never at the cloud"))
                    .isEmpty());
    assertThat(receiveRetained(endpoints.mqttPort(), "site/config"))
        .as(context("retained message"))
        .isEqualTo("retained-v1");
    assertThat(resumeSession(endpoints.mqttPort(), "watcher"))
        .as(context("persistent session's queued message"))
        .isEqualTo("queued-for-watcher");
    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(context("graceful stop")).isZero();
    collectComplaints();

    long bound = (long) (WINDOW + PENDING_DELETES) * (drainCuts + 1);
    System.out.printf(
        "PowerCutIT seed %d: %d power cuts (%d during a drain) in %d ms; %d acknowledged, all arrived; "
            + "%d duplicates (bound %d); files moved aside: %s%n",
        seed,
        CYCLES,
        drainCuts,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        acked.size(),
        duplicates(),
        bound,
        movedAside());
    complaints.forEach(System.out::println);
    assertThat(unarrived()).as(context("lost")).isEmpty();
    assertThat(movedAside()).as(context("no database moved aside as corrupt")).isEmpty();
    assertThat(complaints)
        .as(context("no daemon logged an error"))
        .noneMatch(line -> line.contains(" ERROR "));
    assertThat(duplicates())
        .as(context("duplicates within one window plus pendingDeletes per drain cut, plus one"))
        .isLessThanOrEqualTo(bound);
    assertThat(acked)
        .as(context("the cycles acknowledged enough to mean something"))
        .hasSizeGreaterThan(CYCLES * 10);
  }

  /**
   * The mutation check: {@code storage.synchronous: normal} does not fsync the spool's commits, and
   * the same cuts must then lose messages devices were acknowledged for (or leave a database moved
   * aside). If this ever passes without loss, the lossy filesystem stopped losing and the test
   * above proves nothing.
   */
  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void withoutFsyncOnCommitAcknowledgedMessagesAreLostSoTheHarnessCanSeeLoss() throws Exception {
    writeConfig("normal");
    for (int cycle = 0; cycle < 2; cycle++) {
      phase = "ingest " + cycle + " with synchronous normal";
      link.refuse(true);
      connectDevices(startDaemon().mqttPort());
      CountDownLatch cutPoint = acks.arm(200, this::signalKill);
      devices.forEach(PublishingDevice::start);
      assertThat(cutPoint.await(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as(context("cut point reached"))
          .isTrue();
      powerCut(false, 0);
    }

    phase = "drain with synchronous normal";
    link.refuse(false);
    LaunchedDaemon.Endpoints endpoints = startDaemon();
    AdminHttp admin = new AdminHttp(endpoints.adminPort(), storage);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(MetricsScrape.parse(admin.get("metrics")).value("outpost_spool_depth"))
                    .as(context("spool drained"))
                    .isZero());
    daemon.terminate();
    assertThat(daemon.awaitExit(30)).as(context("graceful stop")).isZero();

    List<String> lost = unarrived();
    System.out.printf(
        "PowerCutIT mutation (synchronous normal): %d acknowledged, %d lost, files moved aside: %s; "
            + "cuts: %s%n",
        acked.size(), lost.size(), movedAside(), cuts);
    assertThat(lost.size() + movedAside().size())
        .as(context("acknowledged messages lost or a database moved aside without fsync on commit"))
        .isPositive();
  }

  /**
   * A function deployment and a configuration reload, both cut at a random moment while they run:
   * after the cut the daemon starts, the function's active version is the previous or the new one,
   * and the configuration file holds the previous or the new text (written as documented: synced
   * temporary file, rename, directory sync), never a broken state that stops a start.
   */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aDeploymentAndAReloadCutMidwayLeaveThePreviousOrTheNewState() throws Exception {
    config = Files.createDirectories(fs.path().resolve("etc")).resolve("outpost.yaml");
    DurableFiles.fsyncDirectory(fs.path());
    String previousConfig = configText("full", "telemetry");
    DurableFiles.writeAtomically(config, previousConfig.getBytes(StandardCharsets.UTF_8), null);
    link.refuse(true);
    LaunchedDaemon.Endpoints endpoints = startDaemon();
    new AdminHttp(endpoints.adminPort(), storage)
        .post("api/functions", functionJar("1.0.0"), "application/java-archive");
    String previousVersion = "1.0.0";

    for (int cycle = 1; cycle <= DEPLOY_CYCLES; cycle++) {
      String version = "1.0." + cycle;
      String nextConfig = configText("full", "telemetry-" + cycle);
      long cutAfterMillis = random.nextInt(MAX_DEPLOY_CUT_MILLIS);
      phase =
          "deployment cycle "
              + cycle
              + " ("
              + previousVersion
              + " -> "
              + version
              + "), cut after "
              + cutAfterMillis
              + " ms";
      if (cycle > 1) {
        endpoints = startDaemon();
      }
      AdminHttp admin = new AdminHttp(endpoints.adminPort(), storage);
      byte[] jar = functionJar(version);
      Thread deploy =
          new Thread(
              () -> {
                try {
                  admin.post("api/functions", jar, "application/java-archive");
                } catch (Exception | AssertionError cutOff) {
                  // the cut came first: what the store holds decides, checked below
                }
              },
              "power-cut-deploy");
      deploy.start();
      DurableFiles.writeAtomically(config, nextConfig.getBytes(StandardCharsets.UTF_8), null);
      daemon.hangUp();
      Thread.sleep(cutAfterMillis);
      powerCut(cycle % 3 == 0, random.nextLong());
      deploy.join(TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));

      String onDisk = Files.readString(config);
      assertThat(onDisk)
          .as(context("configuration after the cut"))
          .isIn(previousConfig, nextConfig);
      endpoints = startDaemon(); // fails the test if the cut left a state that stops a start
      String listed = new AdminHttp(endpoints.adminPort(), storage).get("api/functions");
      String active = activeVersion(listed);
      assertThat(active)
          .as(context("active version after the cut: " + listed))
          .isIn(previousVersion, version);
      System.out.printf(
          "%-62s config %s, active version %s; %s%n",
          phase, onDisk.equals(nextConfig) ? "new" : "previous", active, cuts.get(cuts.size() - 1));
      daemon.kill(30);
      previousConfig = onDisk;
      previousVersion = active;
    }
    collectComplaints();
    assertThat(movedAside()).as(context("no database moved aside as corrupt")).isEmpty();
  }

  private static String activeVersion(String functionsJson) {
    Matcher m =
        Pattern.compile("\\{\"name\":\"" + FUNCTION + "\",\"version\":\"([^\"]+)\"")
            .matcher(functionsJson);
    return m.find() ? m.group(1) : "none";
  }

  private static byte[] functionJar(String version) throws Exception {
    String descriptor =
        """
        name: %s
        version: %s
        runtime: java
        handler: %s
        triggers: ["probe/#"]
        """
            .formatted(FUNCTION, version, DashboardProbeFunction.class.getName());
    String classFile = DashboardProbeFunction.class.getName().replace('.', '/') + ".class";
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(bytes);
        InputStream handler =
            DashboardProbeFunction.class.getClassLoader().getResourceAsStream(classFile)) {
      jar.putNextEntry(new JarEntry("outpost-function.yaml"));
      jar.write(descriptor.getBytes(StandardCharsets.UTF_8));
      jar.closeEntry();
      jar.putNextEntry(new JarEntry(classFile));
      handler.transferTo(jar);
      jar.closeEntry();
    }
    return bytes.toByteArray();
  }

  private void writeConfig(String synchronous) throws Exception {
    config = Files.writeString(dir.resolve("outpost.yaml"), configText(synchronous, "telemetry"));
  }

  private String configText(String synchronous, String routeName) {
    return """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s, synchronous: %s}
        cloud:
          url: tcp://127.0.0.1:%d
          clientId: edge-powercut
          mqttVersion: "3.1.1"
          inflightWindow: %d
          pendingDeletes: %d
          backoff: {initialMillis: 100, maxMillis: 500}
        routes:
          - {name: %s, from: local, filter: "%s", to: cloud}
        admin: {listen: "127.0.0.1:0"}
        """
        .formatted(
            storage, synchronous, link.port(), WINDOW, PENDING_DELETES, routeName, TELEMETRY);
  }

  /** SIGKILL, then the loss of everything not synced, then the mount back. */
  private void powerCut(boolean torn, long tearSeed) throws Exception {
    assertThat(daemon.kill(30))
        .as(context("SIGKILL ended the daemon"))
        .isEqualTo(LaunchedDaemon.KILLED);
    closeDevices();
    collectComplaints();
    LossyFilesystem.Cut cut = torn ? fs.cut(tearSeed) : fs.cut();
    cuts.add(cut.line() + (torn ? " torn " + tearSeed : ""));
  }

  private LaunchedDaemon.Endpoints startDaemon() throws Exception {
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    List<String> options = new ArrayList<>(JVM_OPTIONS);
    options.add("-Djava.io.tmpdir=" + tmp);
    daemon = LaunchedDaemon.jar(dir, options, "run", "--config", config.toString());
    return daemon.awaitReady(60);
  }

  private void signalKill() {
    LaunchedDaemon current = daemon;
    if (current != null) {
      current.signalKill();
    }
  }

  private void connectDevices(int port) throws MqttException {
    List<IMqttToken> connecting = new ArrayList<>();
    for (int i = 0; i < DEVICES; i++) {
      // device1 publishes at QoS 2: its PUBCOMP, not the PUBREC, is the acknowledgement
      PublishingDevice device =
          new PublishingDevice(
              port,
              "device" + i,
              sequences[i],
              i == 1 ? 2 : 1,
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

  private static MqttClient client(int port, String id) throws MqttException {
    return new MqttClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
  }

  private static MqttConnectOptions options(boolean cleanSession) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(cleanSession);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout((int) STEP_TIMEOUT_SECONDS);
    return options;
  }

  /** Publishes one QoS 1 message and waits for its PUBACK. */
  private static void publishOnce(int port, String topic, String payload, boolean retain)
      throws MqttException {
    try (MqttClient publisher = client(port, "publisher-" + System.nanoTime())) {
      publisher.connect(options(true));
      publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, retain);
      publisher.disconnect();
    }
  }

  /** Subscribes afresh and returns the retained message's payload. */
  private static String receiveRetained(int port, String topic) throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (MqttClient subscriber = client(port, "retained-check")) {
      subscriber.connect(options(true));
      subscriber.subscribe(
          topic, 1, (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
      String payload = received.poll(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      subscriber.disconnect();
      return payload;
    }
  }

  /**
   * Reconnects a persistent session without subscribing and returns the first message it is given.
   */
  private static String resumeSession(int port, String id) throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    try (MqttClient session = client(port, id)) {
      session.setCallback(
          new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
              received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
          });
      session.connect(options(false));
      String payload = received.poll(STEP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      session.disconnect();
      return payload;
    }
  }

  private void collectComplaints() {
    String where = phase;
    daemon
        .output()
        .lines()
        .filter(line -> line.contains(" ERROR ") || line.contains(" WARN "))
        .forEach(line -> complaints.add(where + ": " + line));
  }

  /** Files the daemon renamed aside as corrupt ({@code *.corrupt-*}), in the data directory. */
  private List<String> movedAside() throws Exception {
    try (Stream<Path> files = Files.list(storage)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".corrupt-"))
          .sorted()
          .toList();
    }
  }

  private long duplicates() {
    return arrivals.values().stream().mapToLong(n -> n - 1).sum();
  }

  private List<String> unarrived() {
    return acked.stream().filter(id -> !arrivals.containsKey(id)).sorted().toList();
  }

  private String context(String what) {
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
        + "; cuts: "
        + cuts
        + (daemon == null ? "" : "\nlast daemon output:\n" + daemon.outputTail(40));
  }

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
