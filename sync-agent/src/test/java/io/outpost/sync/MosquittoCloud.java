package io.outpost.sync;

import io.outpost.testkit.FaultProxy;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Mosquitto as an MQTT 5 stand-in cloud (Moquette 0.17 only speaks 3.1.1). Mosquitto cannot report
 * an ephemeral TCP port, so it listens on a Unix socket in {@code dir} and a {@link FaultProxy} on
 * 127.0.0.1:0 fronts it. Publishing to {@code denied/#} is refused by ACL (PUBACK 0x87 for MQTT 5
 * clients). Tests are skipped when {@code mosquitto} is not installed.
 */
public final class MosquittoCloud implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/sbin/mosquitto");
  private final Process process;
  private final FaultProxy proxy;

  private final String tcpUrl;

  private MosquittoCloud(Path dir, int tcpPort, int maxInflight, boolean anonymous)
      throws IOException, InterruptedException {
    this(dir, tcpPort, maxInflight, anonymous, null);
  }

  private MosquittoCloud(
      Path dir, int tcpPort, int maxInflight, boolean anonymous, Path passwordFile)
      throws IOException, InterruptedException {
    Path socket = dir.resolve("mosquitto.sock");
    Path acl = dir.resolve("acl");
    Files.writeString(acl, "topic readwrite #\ntopic deny denied/#\n");
    Path conf = dir.resolve("mosquitto.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "user root",
            "listener 0 " + socket,
            tcpPort > 0 ? "listener " + tcpPort + " 127.0.0.1" : "",
            "allow_anonymous " + anonymous,
            "acl_file " + acl,
            passwordFile == null ? "" : "password_file " + passwordFile,
            "persistence false",
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "max_inflight_messages " + maxInflight,
            "max_queued_messages 100000",
            ""));
    process =
        new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(socket)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IOException(
            "mosquitto did not start: " + Files.readString(dir.resolve("mosquitto.log")));
      }
      Thread.sleep(10);
    }
    proxy = new FaultProxy(UnixDomainSocketAddress.of(socket));
    tcpUrl = tcpPort > 0 ? "tcp://127.0.0.1:" + tcpPort : null;
  }

  /**
   * Starts Mosquitto with its files in {@code dir}; skips the test if Mosquitto is not installed.
   */
  public static MosquittoCloud start(Path dir) throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY), "mosquitto is not installed (apt-get install mosquitto)");
    return new MosquittoCloud(dir, 0, 0, true);
  }

  /**
   * For benchmarks: also listens on 127.0.0.1:{@code port} directly, without the in-process proxy
   * and its CPU cost; see {@link #directUrl()}. {@code maxInflight} is Mosquitto's {@code
   * max_inflight_messages}, the Receive Maximum it announces (its default is 20; 0 = unlimited).
   */
  public static MosquittoCloud startWithTcpPort(Path dir, int port, int maxInflight)
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY), "mosquitto is not installed (apt-get install mosquitto)");
    return new MosquittoCloud(dir, port, maxInflight, true);
  }

  /**
   * A cloud that refuses every connection in CONNACK (not authorized): no anonymous access and no
   * users.
   */
  public static MosquittoCloud startRefusingEveryone(Path dir)
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY), "mosquitto is not installed (apt-get install mosquitto)");
    return new MosquittoCloud(dir, 0, 0, false);
  }

  /**
   * A cloud that accepts only {@code user} with {@code password} (Mosquitto's password file, made
   * with {@code mosquitto_passwd}) and refuses anyone else in CONNACK.
   */
  public static MosquittoCloud startWithUser(Path dir, String user, String password)
      throws IOException, InterruptedException {
    Path tool = Path.of("/usr/bin/mosquitto_passwd");
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY) && Files.isExecutable(tool),
        "mosquitto is not installed (apt-get install mosquitto)");
    Path file = dir.resolve("passwd");
    Process made =
        new ProcessBuilder(tool.toString(), "-b", "-c", file.toString(), user, password)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto_passwd.log").toFile())
            .start();
    if (!made.waitFor(10, TimeUnit.SECONDS) || made.exitValue() != 0) {
      made.destroyForcibly();
      throw new IOException(
          "mosquitto_passwd failed: " + Files.readString(dir.resolve("mosquitto_passwd.log")));
    }
    return new MosquittoCloud(dir, 0, 0, false, file);
  }

  /** The direct TCP listener of {@link #startWithTcpPort}. */
  public String directUrl() {
    if (tcpUrl == null) {
      throw new IllegalStateException("started without a TCP port");
    }
    return tcpUrl;
  }

  public String url() {
    return proxy.url();
  }

  public FaultProxy proxy() {
    return proxy;
  }

  @Override
  public void close() throws InterruptedException {
    proxy.close();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
