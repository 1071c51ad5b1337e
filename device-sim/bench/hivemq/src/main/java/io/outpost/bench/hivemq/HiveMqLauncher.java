package io.outpost.bench.hivemq;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs HiveMQ CE embedded on 127.0.0.1 for the broker comparison, configured not to drop.
 *
 * <p>Usage: {@code java -jar hivemq-launcher.jar PORT WORKDIR [QUEUE_SIZE]}. Writes {@code
 * WORKDIR/conf/config.xml} (listener, per-client queue of QUEUE_SIZE messages, default 10,000,000,
 * in-memory persistence as Mosquitto's and Outpost's clean sessions have), lifts HiveMQ's internal
 * QoS 0 memory limits (by default it drops QoS 0 messages for a subscriber whose socket is not
 * writable once 5 MB per client or a quarter of the heap is queued), prints what it set, and runs
 * until SIGTERM. Environment, to check what limits HiveMQ in a row: {@code HIVEMQ_PERSISTENCE}
 * ({@code in-memory} by default, or {@code file-native}) and {@code HIVEMQ_LIFT} ({@code all} by
 * default; {@code none} leaves the internal limits at HiveMQ's defaults).
 */
public final class HiveMqLauncher {

  private HiveMqLauncher() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: HiveMqLauncher PORT WORKDIR [QUEUE_SIZE]");
      System.exit(64);
    }
    int port = Integer.parseInt(args[0]);
    Path work = Path.of(args[1]).toAbsolutePath();
    long queueSize = args.length > 2 ? Long.parseLong(args[2]) : 10_000_000L;
    Path conf = Files.createDirectories(work.resolve("conf"));
    Files.createDirectories(work.resolve("data"));
    Files.createDirectories(work.resolve("extensions"));
    String config =
        """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener>
              <port>%d</port>
              <bind-address>127.0.0.1</bind-address>
            </tcp-listener>
          </listeners>
          <mqtt>
            <queued-messages>
              <max-queue-size>%d</max-queue-size>
              <strategy>discard</strategy>
            </queued-messages>
          </mqtt>
          <persistence>
            <mode>%s</mode>
          </persistence>
          <anonymous-usage-statistics>
            <enabled>false</enabled>
          </anonymous-usage-statistics>
        </hivemq>
        """
            .formatted(port, queueSize, System.getenv().getOrDefault("HIVEMQ_PERSISTENCE", "in-memory"));
    Files.writeString(conf.resolve("config.xml"), config);
    System.out.println("hivemq config.xml:\n" + config);
    String lifts = System.getenv().getOrDefault("HIVEMQ_LIFT", "all");
    if (lifts.equals("all")) {
      liftInternalLimit("QOS_0_MEMORY_HARD_LIMIT_DIVISOR", 1);
      liftInternalLimit("QOS_0_MEMORY_LIMIT_PER_CLIENT_BYTES", Integer.MAX_VALUE);
      liftInternalLimit("QOS_0_MEMORY_LIMIT_PER_CLIENT", Integer.MAX_VALUE);
      liftInternalLimit("NOT_WRITABLE_QUEUE_SIZE", Integer.MAX_VALUE);
    } else {
      System.out.println("hivemq internal limits left at HiveMQ's defaults (HIVEMQ_LIFT=" + lifts + ")");
    }

    EmbeddedHiveMQ hivemq =
        EmbeddedHiveMQ.builder()
            .withConfigurationFolder(conf)
            .withDataFolder(work.resolve("data"))
            .withExtensionsFolder(work.resolve("extensions"))
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  hivemq.stop().join();
                  stopped.countDown();
                },
                "hivemq-launcher-stop"));
    hivemq.start().join();
    System.out.println("hivemq started on 127.0.0.1:" + port);
    stopped.await();
  }

  /** Sets one of HiveMQ's internal limits (public static AtomicInteger fields), when present. */
  private static void liftInternalLimit(String name, int value) {
    try {
      Class<?> internal = Class.forName("com.hivemq.configuration.service.InternalConfigurations");
      Field field = internal.getField(name);
      ((AtomicInteger) field.get(null)).set(value);
      System.out.println("hivemq internal " + name + " = " + value);
    } catch (ReflectiveOperationException | ClassCastException e) {
      System.out.println("hivemq internal " + name + " not in this version (" + e + ")");
    }
  }
}
