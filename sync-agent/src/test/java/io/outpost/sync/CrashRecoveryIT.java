package io.outpost.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.testkit.StandInCloud;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a real child process running the spool (and the cloud link) at random points during
 * ingest and during drain, then reconciles: every message whose append future completed (the child
 * printed its ACK) reached the cloud; duplicates stay within what a crash may resend: the in-flight
 * window plus the acknowledged publishes whose delete was not committed yet ({@code
 * cloud.pendingDeletes}), per crash.
 */
class CrashRecoveryIT {
  private static final int CYCLES = Integer.getInteger("outpost.crash.cycles", 20);
  private static final int WINDOW = 50;
  private static final int PENDING_DELETES = 100;
  private static final int PER_CYCLE = 2000;
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final StandInCloud cloud = StandInCloud.start();
  private final List<Process> children = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (Process child : children) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
    }
    cloud.close();
  }

  /** A running child and what it printed. */
  private final class Child {
    final Process process;
    final Set<Long> acked;
    final AtomicBoolean ready = new AtomicBoolean();
    final AtomicBoolean ingested = new AtomicBoolean();
    final AtomicBoolean drained = new AtomicBoolean();
    final Thread reader;

    Child(String url, long first, int count, Set<Long> acked) throws IOException {
      this.acked = acked;
      ProcessBuilder builder =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-cp",
              System.getProperty("java.class.path"),
              SpoolLinkProcess.class.getName(),
              dir.resolve("spool").toString(),
              url,
              Long.toString(first),
              Integer.toString(count),
              Integer.toString(WINDOW),
              Integer.toString(PENDING_DELETES));
      builder.redirectError(ProcessBuilder.Redirect.DISCARD);
      process = builder.start();
      children.add(process);
      reader = new Thread(this::read, "crash-it-child-stdout");
      reader.start();
    }

    private void read() {
      try (BufferedReader in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          if (line.startsWith("ACK ")) {
            acked.add(Long.parseLong(line.substring(4).trim()));
          } else if (line.equals("READY")) {
            ready.set(true);
          } else if (line.equals("INGESTED")) {
            ingested.set(true);
          } else if (line.equals("DRAINED")) {
            drained.set(true);
          }
        }
      } catch (IOException | NumberFormatException e) {
        // the child was killed mid-line: a torn last line is simply not counted as acknowledged
      }
    }

    void kill() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL on Linux
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      reader.join(10_000);
    }
  }

  @Test
  void losesNoAcknowledgedMessageAcrossRepeatedSigkillsDuringIngestAndDrain() throws Exception {
    Random random = new Random(42);
    Set<Long> acked = ConcurrentHashMap.newKeySet();
    int drainKills = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      boolean draining = cycle % 2 == 1;
      Child child =
          new Child(draining ? cloud.url() : "none", cycle * 1_000_000L, PER_CYCLE, acked);
      await().atMost(WAIT).until(() -> child.ready.get() || !child.process.isAlive());
      int before = acked.size();
      int killAfterAcks = 1 + random.nextInt(PER_CYCLE - 1);
      long receivedBefore = cloud.count("kill/#");
      int killAfterReceived = 1 + random.nextInt(2 * PER_CYCLE);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  child.ingested.get()
                      || !child.process.isAlive()
                      || (acked.size() - before >= killAfterAcks
                          && (!draining
                              || cloud.count("kill/#") - receivedBefore
                                  >= Math.min(killAfterReceived, acked.size() - before))));
      child.kill();
      if (draining) {
        drainKills++;
      }
    }

    Child last = new Child(cloud.url(), CYCLES * 1_000_000L, 0, acked);
    await()
        .atMost(Duration.ofMinutes(3))
        .until(() -> last.drained.get() || !last.process.isAlive());
    assertThat(last.drained).isTrue();
    assertThat(last.process.waitFor(30, TimeUnit.SECONDS)).isTrue();

    List<Long> received = new ArrayList<>();
    for (StandInCloud.Received message : cloud.received("kill/#")) {
      String text = message.text();
      received.add(Long.parseLong(text.substring(4, text.indexOf(':', 4))));
    }
    Set<Long> distinct = new HashSet<>(received);
    Set<Long> lost = new HashSet<>(acked);
    lost.removeAll(distinct);
    int duplicates = received.size() - distinct.size();
    System.out.printf(
        "crash cycles=%d drainKills=%d acked=%d received=%d distinct=%d duplicates=%d%n",
        CYCLES, drainKills, acked.size(), received.size(), distinct.size(), duplicates);
    assertThat(acked).hasSizeGreaterThan(CYCLES);
    assertThat(lost).as("acknowledged messages that never reached the cloud").isEmpty();
    assertThat(duplicates).isLessThanOrEqualTo((WINDOW + PENDING_DELETES) * (drainKills + 1));

    try (Connection c =
            DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("spool").resolve("spool.db"));
        ResultSet rs = c.createStatement().executeQuery("PRAGMA integrity_check")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("ok");
    }
  }
}
