package io.outpost.sim.support;

import io.moquette.broker.Server;
import io.moquette.broker.config.IConfig;
import io.moquette.broker.config.MemoryConfig;
import io.outpost.testkit.MoquettePort;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * A real MQTT 3.1.1 broker (Moquette, in memory) on 127.0.0.1 and an ephemeral port, for tests.
 * Moquette's in-memory defaults, not {@link io.outpost.testkit.StandInCloud}'s configuration: with
 * that one Moquette now and then drops a fresh connection's SUBSCRIBE, which these tests of the
 * consumer cannot tell from a bug.
 */
public final class MoquetteBroker implements AutoCloseable {

  private final Server server = new Server();
  private boolean running;
  private final int port;

  public MoquetteBroker() throws IOException {
    Properties p = new Properties();
    p.setProperty(IConfig.HOST_PROPERTY_NAME, "127.0.0.1");
    p.setProperty(IConfig.PORT_PROPERTY_NAME, "0");
    p.setProperty(IConfig.WEB_SOCKET_PORT_PROPERTY_NAME, "disabled");
    p.setProperty(IConfig.PERSISTENCE_ENABLED_PROPERTY_NAME, "false");
    p.setProperty(IConfig.ALLOW_ANONYMOUS_PROPERTY_NAME, "true");
    p.setProperty(IConfig.ENABLE_TELEMETRY_NAME, "false");
    server.startServer(new MemoryConfig(p), List.of());
    running = true;
    try {
      port = MoquettePort.await(server, Duration.ofSeconds(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted while waiting for Moquette to bind", e);
    } catch (IOException e) {
      close();
      throw e;
    }
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "tcp://127.0.0.1:" + port();
  }

  @Override
  public synchronized void close() {
    if (running) {
      running = false;
      server.stopServer();
    }
  }
}
