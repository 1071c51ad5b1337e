package io.outpost.sync;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.cloud.BackoffOptions;
import io.outpost.cloud.CloudLink;
import io.outpost.cloud.CloudOptions;
import io.outpost.cloud.DownlinkHandler;
import io.outpost.cloud.MqttVersion;
import io.outpost.spool.SpoolEntry;
import io.outpost.spool.SpoolOptions;
import io.outpost.spool.SqliteSpool;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * Child process for the crash tests: opens the spool in a directory, optionally drains it to a
 * cloud URL, appends {@code count} messages ({@code seq:<n>} payloads) and prints {@code ACK <n>}
 * once each append future completed — i.e. exactly when the daemon would acknowledge the device.
 * Prints {@code READY} when open and {@code DRAINED} (then exits) when {@code count} is 0 and the
 * spool is empty. Meant to be SIGKILLed at any point.
 *
 * <p>Usage: {@code SpoolLinkProcess <dir> <cloudUrl|none> <firstSeq> <count> <window>
 * <pendingDeletes>}
 */
public final class SpoolLinkProcess {
  static final String TOPIC = "kill/data";
  private static final int OUTSTANDING = 64;
  private static final String PADDING = "x".repeat(150);

  private SpoolLinkProcess() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String url = args[1];
    long first = Long.parseLong(args[2]);
    int count = Integer.parseInt(args[3]);
    int window = Integer.parseInt(args[4]);
    int pendingDeletes = Integer.parseInt(args[5]);
    PrintStream out =
        new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SqliteSpool spool = SqliteSpool.open(SpoolOptions.in(dir), registry, Clock.systemUTC());
    CloudLink link = null;
    if (!"none".equals(url)) {
      CloudOptions options =
          CloudOptions.of(url, "kill-edge")
              .withMqttVersion(MqttVersion.V3_1_1)
              .withInflightWindow(window)
              .withPendingDeletes(pendingDeletes)
              .withBackoff(new BackoffOptions(50L, 500L, 2.0, 0.5));
      link =
          new CloudLink(
              options,
              spool,
              List.of(),
              DownlinkHandler.immediate(m -> {}),
              registry,
              Clock.systemUTC());
      link.start().get();
    }
    out.println("READY");
    Semaphore outstanding = new Semaphore(OUTSTANDING);
    for (long seq = first; seq < first + count; seq++) {
      outstanding.acquire();
      long n = seq;
      byte[] payload = ("seq:" + n + ":" + PADDING).getBytes(StandardCharsets.UTF_8);
      spool
          .append(
              new SpoolEntry(
                  "kill",
                  0,
                  TOPIC,
                  payload,
                  1,
                  0,
                  List.of(),
                  null,
                  "sim",
                  System.currentTimeMillis()))
          .whenComplete(
              (id, error) -> {
                if (error == null) {
                  synchronized (out) {
                    out.println("ACK " + n);
                  }
                }
                outstanding.release();
              });
    }
    outstanding.acquire(OUTSTANDING);
    out.println("INGESTED");
    if (link != null && count == 0) {
      while (spool.stats().depth() > 0) {
        Thread.sleep(20);
      }
      out.println("DRAINED");
      link.close();
      spool.close();
      System.exit(0);
    }
    Thread.sleep(Long.MAX_VALUE);
  }
}
