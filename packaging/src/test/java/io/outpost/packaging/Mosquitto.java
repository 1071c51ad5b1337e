package io.outpost.packaging;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Mosquitto as a child process on 127.0.0.1. Mosquitto cannot listen on port 0 and report the port,
 * so it is started on a random high port and started again on another one when that port is taken
 * (it exits at once then).
 */
final class Mosquitto implements AutoCloseable {

  private static final Path BINARY = Path.of("/usr/sbin/mosquitto");

  private final Process process;
  private final int port;

  private Mosquitto(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts it with anonymous access and no persistence; skips the test when Mosquitto is not
   * installed.
   */
  static Mosquitto start(Path dir) throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(BINARY), "mosquitto is not installed (CI's .ci/run installs it)");
    for (int attempt = 0; attempt < 20; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 60_000);
      Path config =
          Files.writeString(
              dir.resolve("mosquitto-" + port + ".conf"),
              """
          listener %d 127.0.0.1
          allow_anonymous true
          persistence false
          max_inflight_messages 0
          max_queued_messages 10000
          """
                  .formatted(port),
              StandardCharsets.US_ASCII);
      Path log = dir.resolve("mosquitto-" + port + ".log");
      Process process =
          new ProcessBuilder(BINARY.toString(), "-c", config.toString(), "-v")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && process.isAlive()) {
        if (Files.readString(log).contains("Opening ipv4 listen socket on port " + port)) {
          return new Mosquitto(process, port);
        }
        Thread.sleep(20);
      }
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
    throw new IllegalStateException("mosquitto did not start on any of 20 ports");
  }

  String url() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
