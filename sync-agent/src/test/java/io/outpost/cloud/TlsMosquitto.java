package io.outpost.cloud;

import io.outpost.testkit.FaultProxy;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Mosquitto as a cloud that requires mutual TLS, AWS IoT Core style: a TLS listener that demands a
 * client certificate issued by its CA and takes the certificate's CN as the user name, plus a plain
 * listener for observers. Mosquitto cannot report an ephemeral TCP port, so both listen on Unix
 * sockets and a {@link FaultProxy} on 127.0.0.1:0 fronts each; TLS passes through the byte proxy
 * end to end. Skips the test when Mosquitto is not installed.
 */
final class TlsMosquitto implements AutoCloseable {
  private static final Path BINARY = Path.of("/usr/sbin/mosquitto");
  private final Path log;
  private final Process process;
  private final FaultProxy tls;
  private final FaultProxy plain;
  private volatile boolean paused;

  private TlsMosquitto(Path dir, Path caFile, Path certFile, Path keyFile, boolean upToTls12)
      throws IOException, InterruptedException {
    Path tlsSocket = dir.resolve("tls.sock");
    Path plainSocket = dir.resolve("plain.sock");
    Path conf = dir.resolve("mosquitto.conf");
    log = dir.resolve("mosquitto.log");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "user root",
            "persistence false",
            "allow_anonymous true", // only the plain observer listener is anonymous: TLS clients
            // must show a certificate
            "log_dest stderr",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "listener 0 " + plainSocket,
            "listener 0 " + tlsSocket,
            "cafile " + caFile,
            "certfile " + certFile,
            "keyfile " + keyFile,
            "require_certificate true",
            "use_identity_as_username true",
            ""));
    ProcessBuilder builder =
        new ProcessBuilder(BINARY.toString(), "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    if (upToTls12) {
      // mosquitto 2.0's tls_version is only a minimum; OpenSSL's system default caps the maximum
      Path openssl = dir.resolve("openssl-tls12.cnf");
      Files.writeString(
          openssl,
          String.join(
              "\n",
              "openssl_conf = openssl_init",
              "[openssl_init]",
              "ssl_conf = ssl_sect",
              "[ssl_sect]",
              "system_default = system_default_sect",
              "[system_default_sect]",
              "MaxProtocol = TLSv1.2",
              ""));
      builder.environment().put("OPENSSL_CONF", openssl.toString());
    }
    process = builder.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!Files.exists(tlsSocket) || !Files.exists(plainSocket)) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IOException("mosquitto did not start: " + Files.readString(log));
      }
      Thread.sleep(10);
    }
    tls = new FaultProxy(UnixDomainSocketAddress.of(tlsSocket));
    plain = new FaultProxy(UnixDomainSocketAddress.of(plainSocket));
  }

  /**
   * Starts Mosquitto with its files in {@code dir}, presenting {@code certFile} and trusting {@code
   * caFile}; TLS 1.3 and 1.2 are offered.
   */
  static TlsMosquitto start(Path dir, Path caFile, Path certFile, Path keyFile)
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY), "mosquitto is not installed (apt-get install mosquitto)");
    return new TlsMosquitto(dir, caFile, certFile, keyFile, false);
  }

  /**
   * Like {@link #start}, but TLS 1.2 at most: the server judges the client certificate inside the
   * handshake.
   */
  static TlsMosquitto startUpToTls12(Path dir, Path caFile, Path certFile, Path keyFile)
      throws IOException, InterruptedException {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY), "mosquitto is not installed (apt-get install mosquitto)");
    return new TlsMosquitto(dir, caFile, certFile, keyFile, true);
  }

  /** The mutual-TLS listener, {@code ssl://127.0.0.1:<port>}. */
  String tlsUrl() {
    return "ssl://127.0.0.1:" + tls.port();
  }

  /** The plain listener, for observers. */
  String plainUrl() {
    return plain.url();
  }

  /** TCP connections made to the TLS listener so far. */
  int tlsConnections() {
    return tls.connections();
  }

  /**
   * What Mosquitto logged (errors, warnings and notices: connections with their user name, TLS
   * failures).
   */
  String log() throws IOException {
    return Files.readString(log);
  }

  /**
   * Freezes the broker (SIGSTOP): it reads nothing and acknowledges nothing until {@link
   * #resume()}.
   */
  void pause() throws IOException, InterruptedException {
    signal("-STOP");
    paused = true;
  }

  void resume() throws IOException, InterruptedException {
    signal("-CONT");
    paused = false;
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS)) {
      kill.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IOException("kill " + signal + " did not finish");
    }
    if (kill.exitValue() != 0) {
      throw new IOException("kill " + signal + " " + process.pid() + " exited " + kill.exitValue());
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    tls.close();
    plain.close();
    if (paused && process.isAlive()) {
      resume(); // a stopped process only acts on SIGTERM once continued
    }
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
