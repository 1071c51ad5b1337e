package io.outpost.sync.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.cloud.BatchingOptions;
import io.outpost.cloud.CloudLink;
import io.outpost.cloud.CloudOptions;
import io.outpost.cloud.DownlinkHandler;
import io.outpost.cloud.MqttVersion;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import io.outpost.sync.MosquittoCloud;
import io.outpost.testkit.StandInCloud;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Benchmarks of the sync agent (a benchmark, not a test). Run from the module with the test
 * classpath:
 *
 * <pre>
 *   mvn -q -pl sync-agent test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 *   java -cp sync-agent/target/test-classes:sync-agent/target/classes:$(cat sync-agent/target/cp.txt) \
 *       io.outpost.sync.bench.SyncBench [ingest|drain|batched|mosquitto|all] [messages]
 * </pre>
 *
 * ingest: 4 publishers, each with 256 appends outstanding (QoS 1 equivalent: an append counts when
 * its future completed), 200-byte payloads, cloud down, synchronous=FULL; bytes written per message
 * from /proc/self/io. drain: unbatched drain of a full spool to Moquette on loopback (MQTT 3.1.1,
 * window 1000). batched: drain under a 100 publishes/s limit with 128 KiB batch envelopes.
 * mosquitto: unbatched MQTT 5 drain to Mosquitto (out of process, loopback TCP), after a warm-up
 * drain. steady: a steady stream (-Drate=1000 msg/s for -Dseconds=30) for each wear budget in
 * -Dbudgets=0,100,40,25,10,5 and each page size in -DpageSizes=4096: bytes written to disk per
 * payload byte (the WAL checkpointed at close included) and append latency (= the PUBACK delay a
 * QoS 1 device sees).
 */
public final class SyncBench {
  private static final int PAYLOAD = 200;
  private static final int PUBLISHERS = 4;
  private static final int OUTSTANDING = Integer.getInteger("outstanding", 256);

  private SyncBench() {}

  public static void main(String[] args) throws Exception {
    String which = args.length > 0 ? args[0] : "all";
    int messages = args.length > 1 ? Integer.parseInt(args[1]) : 400_000;
    if (which.equals("ingest") || which.equals("all")) {
      ingest(messages);
    }
    if (which.equals("drain") || which.equals("all")) {
      drain(messages / 2, false);
    }
    if (which.equals("batched") || which.equals("all")) {
      drain(messages / 2, true);
    }
    if (which.equals("mosquitto") || which.equals("all")) {
      drainToMosquitto(messages / 2);
    }
    if (which.equals("steady")) {
      // storage.maxCommitsPerSecond settings; 0 = no budget (latency first)
      for (String pageSize : System.getProperty("pageSizes", "4096").split(",")) {
        for (String budget : System.getProperty("budgets", "0,100,40,25,10,5").split(",")) {
          steady(
              Integer.getInteger("rate", 1000),
              Integer.getInteger("seconds", 30),
              Integer.parseInt(budget),
              Integer.parseInt(pageSize));
        }
      }
    }
  }

  private static void ingest(int messages) throws Exception {
    Path dir = Files.createTempDirectory("outpost-bench-ingest");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (SqliteSpool spool =
        SqliteSpool.open(
            SpoolOptions.in(dir).withMaxBytes(8L << 30), registry, Clock.systemUTC())) {
      fill(spool, 20_000); // warm-up
      long writtenBefore = writeBytes();
      long cpuBefore = cpuNanos();
      long start = System.nanoTime();
      fill(spool, messages);
      double seconds = (System.nanoTime() - start) / 1e9;
      double cpuMicros = (cpuNanos() - cpuBefore) / 1e3 / messages;
      long written = writeBytes() - writtenBefore;
      System.out.printf(
          "ingest: %,d msgs x %d B in %.2f s = %,.0f msg/s durable (synchronous=FULL, 4 publishers)%n",
          messages, PAYLOAD, seconds, messages / seconds);
      System.out.printf(
          "ingest: %.1f us of process CPU per message (= %,.0f msg/s per fully used core)%n",
          cpuMicros, 1e6 / cpuMicros);
      System.out.printf(
          "ingest: %,d bytes written to disk = %.0f B/msg = %.2f x payload%n",
          written, (double) written / messages, (double) written / messages / PAYLOAD);
      System.out.printf(
          "ingest: %,.0f operations per group commit on average, %.2f ms per commit%n",
          registry.get("outpost.spool.commit.batch").summary().mean(),
          registry
              .get("outpost.spool.commit")
              .timer()
              .mean(java.util.concurrent.TimeUnit.MILLISECONDS));
    } finally {
      delete(dir);
    }
  }

  private static void steady(int rate, int seconds, int budget, int pageSize) throws Exception {
    Path dir = Files.createTempDirectory("outpost-bench-steady");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    int count = rate * seconds;
    long[] latencies = new long[count];
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(count);
    byte[] payload = new byte[PAYLOAD];
    long writtenBefore = writeBytes();
    double perCommit;
    try (SqliteSpool spool =
        SqliteSpool.open(
            SpoolOptions.in(dir).withMaxCommitsPerSecond(budget).withPageSize(pageSize),
            registry,
            Clock.systemUTC())) {
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        long due = start + (long) i * 1_000_000_000L / rate;
        long now;
        while ((now = System.nanoTime()) < due) {
          java.util.concurrent.locks.LockSupport.parkNanos(due - now);
        }
        int index = i;
        long sent = System.nanoTime();
        spool
            .append(
                new SpoolEntry(
                    "bench",
                    0,
                    "devices/d" + (i % 100) + "/telemetry",
                    payload,
                    1,
                    0,
                    List.of(),
                    null,
                    "d" + (i % 100),
                    System.currentTimeMillis()))
            .whenComplete(
                (id, e) -> {
                  latencies[index] = e == null ? System.nanoTime() - sent : Long.MAX_VALUE;
                  done.countDown();
                });
      }
      done.await();
      perCommit = registry.get("outpost.spool.commit.batch").summary().mean();
    }
    long written =
        writeBytes() - writtenBefore; // after close: the WAL is checkpointed into the database
    java.util.Arrays.sort(latencies);
    System.out.printf(
        "steady %,d msg/s x %d s, page size %5d, maxCommitsPerSecond %3d: %.2f bytes written per payload byte"
            + " (%,.0f B/msg), %.1f msgs per commit, append latency p50 %.2f ms p99 %.2f ms max %.2f ms%n",
        rate,
        seconds,
        pageSize,
        budget,
        (double) written / count / PAYLOAD,
        (double) written / count,
        perCommit,
        latencies[count / 2] / 1e6,
        latencies[(int) (count * 0.99)] / 1e6,
        latencies[count - 1] / 1e6);
    delete(dir);
  }

  /**
   * Appends {@code total} messages from 4 publishers, each waiting for durability with 256 in
   * flight.
   */
  static void fill(SqliteSpool spool, int total) throws InterruptedException {
    AtomicLong failures = new AtomicLong();
    List<Thread> publishers = new ArrayList<>();
    byte[] payload = new byte[PAYLOAD];
    for (int p = 0; p < PUBLISHERS; p++) {
      int share = total / PUBLISHERS;
      Thread t =
          new Thread(
              () -> {
                Semaphore window = new Semaphore(OUTSTANDING);
                try {
                  for (int i = 0; i < share; i++) {
                    window.acquire();
                    spool
                        .append(
                            new SpoolEntry(
                                "bench",
                                0,
                                "devices/bench/telemetry",
                                payload,
                                1,
                                0,
                                List.of(),
                                null,
                                "dev",
                                System.currentTimeMillis()))
                        .whenComplete(
                            (id, e) -> {
                              if (e != null) {
                                failures.incrementAndGet();
                              }
                              window.release();
                            });
                  }
                  window.acquire(OUTSTANDING);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "bench-publisher-" + p);
      publishers.add(t);
      t.start();
    }
    for (Thread t : publishers) {
      t.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " appends failed");
    }
  }

  private static void drain(int messages, boolean batched) throws Exception {
    Path dir = Files.createTempDirectory("outpost-bench-drain");
    try (StandInCloud cloud = StandInCloud.start();
        SqliteSpool spool =
            SqliteSpool.open(
                SpoolOptions.in(dir).withMaxBytes(8L << 30),
                new SimpleMeterRegistry(),
                Clock.systemUTC())) {
      fill(spool, messages);
      CloudOptions options =
          CloudOptions.of(cloud.url(), "bench-edge").withMqttVersion(MqttVersion.V3_1_1);
      options =
          batched
              ? options
                  .withBatching(BatchingOptions.enabledDefaults())
                  .withRateLimits(100, 0)
                  .withInflightWindow(50)
              : options.withInflightWindow(1000);
      Drained drained = drainAll(options, spool, messages);
      System.out.printf(
          "  %.1f us of process CPU per message incl. the in-process broker%n",
          drained.cpuMicrosPerMessage());
      long publishes =
          cloud.received().stream().filter(r -> !r.topic().endsWith("/status")).count();
      System.out.printf(
          "%s: %,d msgs drained in %.2f s = %,.0f msg/s in %,d cloud publishes (%.0f publishes/s)%n",
          batched
              ? "drain batched (limit 100 publishes/s, 128 KiB envelopes)"
              : "drain unbatched (window 1000)",
          messages,
          drained.seconds(),
          messages / drained.seconds(),
          publishes,
          publishes / drained.seconds());
    } finally {
      delete(dir);
    }
  }

  /**
   * Unbatched MQTT 5 drain to Mosquitto (a C broker, out of process) over loopback TCP. A first
   * drain warms the JIT up (a daemon that reconnects after an outage has been running); the second
   * one is the measurement.
   */
  private static void drainToMosquitto(int messages) throws Exception {
    Path dir = Files.createTempDirectory("outpost-bench-mosquitto");
    int port;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort(); // a benchmark may race for the port; tests use the proxy instead
    }
    try (MosquittoCloud cloud =
        MosquittoCloud.startWithTcpPort(
            Files.createDirectories(dir.resolve("broker")),
            port,
            Integer.getInteger("mosquitto.maxInflight", 0))) {
      for (String round : List.of("warm-up", "measured")) {
        Path spoolDir = dir.resolve("spool-" + round);
        try (SqliteSpool spool =
            SqliteSpool.open(
                SpoolOptions.in(spoolDir)
                    .withMaxBytes(8L << 30)
                    .withMaxCommitsPerSecond(
                        Integer.getInteger("budget", SpoolOptions.DEFAULT_MAX_COMMITS_PER_SECOND)),
                new SimpleMeterRegistry(),
                Clock.systemUTC())) {
          int count = round.equals("warm-up") ? messages / 2 : messages;
          fill(spool, count);
          CloudOptions options =
              CloudOptions.of(cloud.directUrl(), "bench-edge")
                  .withInflightWindow(Integer.getInteger("window", 1000));
          Drained drained = drainAll(options, spool, count);
          System.out.printf(
              "drain unbatched MQTT 5 to mosquitto over TCP (window %d, %s): %,d msgs in %.2f s"
                  + " = %,.0f msg/s, %.1f us of gateway-process CPU per message%n",
              options.inflightWindow(),
              round,
              count,
              drained.seconds(),
              count / drained.seconds(),
              drained.cpuMicrosPerMessage());
        }
      }
    } finally {
      delete(dir);
    }
  }

  /** Wall time and process CPU per message of one drain. */
  private record Drained(double seconds, double cpuMicrosPerMessage) {}

  /**
   * Starts a link on {@code options} and times it until {@code spool} (holding {@code count}
   * messages) is empty.
   */
  private static Drained drainAll(CloudOptions options, SqliteSpool spool, int count)
      throws Exception {
    CloudLink link =
        new CloudLink(
            options,
            spool,
            List.of(),
            DownlinkHandler.immediate(m -> {}),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    long cpuBefore = cpuNanos();
    long start = System.nanoTime();
    link.start().get();
    while (spool.stats().depth() > 0) {
      Thread.sleep(5);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuMicros = (cpuNanos() - cpuBefore) / 1e3 / count;
    link.close();
    return new Drained(seconds, cpuMicros);
  }

  /**
   * CPU time of this whole process (all threads; the stand-in broker too when it runs in-process).
   */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long writeBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    throw new IOException("no write_bytes in /proc/self/io");
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
