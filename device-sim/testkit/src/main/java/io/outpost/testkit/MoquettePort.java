package io.outpost.testkit;

import io.moquette.broker.Server;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.Map;

/**
 * The ephemeral port an embedded Moquette 0.17 broker bound. Moquette records it from its boss
 * event loop after {@code startServer} returns, into a plain {@code HashMap}; {@code
 * Server.getPort()} reads that map with {@code computeIfAbsent}, which inserts a 0 and throws
 * {@code ConcurrentModificationException} when it races that write. So the port is awaited with a
 * read-only lookup of the map.
 */
public final class MoquettePort {
  /** The key Moquette 0.17 files the plain TCP listener's port under. */
  private static final String TCP_TRANSPORT = "TCP MQTT";

  private MoquettePort() {}

  /**
   * Waits up to {@code timeout} for {@code server}'s TCP port; the caller stops the server if this
   * throws.
   */
  public static int await(Server server, Duration timeout)
      throws IOException, InterruptedException {
    Map<?, ?> ports;
    try {
      ports = ports(server);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IOException("reading the Moquette broker's bound port", e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (ports.get(TCP_TRANSPORT) instanceof Integer bound && bound > 0) {
        return bound;
      }
      Thread.sleep(5);
    }
    throw new IOException("Moquette did not report its bound port within " + timeout);
  }

  private static Map<?, ?> ports(Server server) throws ReflectiveOperationException {
    Field acceptorField = Server.class.getDeclaredField("acceptor");
    acceptorField.setAccessible(true);
    Object acceptor = acceptorField.get(server);
    Field portsField = acceptor.getClass().getDeclaredField("ports");
    portsField.setAccessible(true);
    return (Map<?, ?>) portsField.get(acceptor);
  }
}
