package io.outpost.broker.internal.protocol;

import io.outpost.broker.BrokerOptions;
import io.outpost.broker.ListenerOptions;
import io.outpost.broker.security.TlsSupport;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event-loop instance of the broker's listeners. The broker deploys {@code instances} of it;
 * Vert.x shares each listening socket between the instances and spreads connections over their
 * event loops.
 */
public final class ListenerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerVerticle.class);

  private final BrokerCore core;
  private final List<MqttServer> servers = new ArrayList<>();
  private final List<MqttServerOptions> serverOptions = new ArrayList<>();

  public ListenerVerticle(BrokerCore core) {
    this.core = core;
  }

  @Override
  public Future<?> start() {
    BrokerOptions options = core.options();
    List<Future<MqttServer>> listening = new ArrayList<>();
    List<ListenerOptions> listeners = options.listeners();
    for (int i = 0; i < listeners.size(); i++) {
      ListenerOptions l = listeners.get(i);
      // a negative port makes Vert.x share one ephemeral port between all instances of this
      // listener
      int port = l.port() == 0 ? -(i + 1) : l.port();
      MqttServerOptions so =
          applyConnectionLimits(new MqttServerOptions().setAutoClientId(false), options);
      so.setReuseAddress(true);
      if (l.tls() != null) {
        TlsSupport.apply(core.listenerTls().get(i), so);
      }
      MqttServer server = MqttServer.create(vertx, so);
      ConnectHandler connectHandler =
          new ConnectHandler(
              core, () -> core.metrics().listener(l.host() + ":" + server.actualPort()));
      server.endpointHandler(connectHandler::handle);
      server.exceptionHandler(
          e -> {
            core.metrics().protocolError("connect");
            LOG.debug("bad CONNECT", e);
          });
      servers.add(server);
      serverOptions.add(so);
      listening.add(server.listen(port, l.host()));
    }
    return Future.all(listening);
  }

  @Override
  public Future<?> stop() {
    List<Future<Void>> closing = new ArrayList<>();
    servers.forEach(s -> closing.add(s.close()));
    return Future.all(closing);
  }

  /**
   * Applies the connection-level limits of {@code next} (packet size, client id length, CONNECT
   * timeout) to connections accepted from now on. vertx-mqtt reads its options object when it sets
   * up each new connection, on this verticle's event loop; changing it there makes the change
   * visible to the next connection.
   */
  public void applyLimits(BrokerOptions next) {
    Context c = context;
    if (c != null) { // null until deployed: start() then reads the new limits from the core
      c.runOnContext(v -> serverOptions.forEach(so -> applyConnectionLimits(so, next)));
    }
  }

  private static MqttServerOptions applyConnectionLimits(
      MqttServerOptions so, BrokerOptions options) {
    return so.setMaxMessageSize(options.maxPacketBytes())
        .setMaxClientIdLength(options.maxClientIdLength())
        .setTimeoutOnConnect(options.connectTimeoutSeconds());
  }

  /** Actual bound ports, in listener order (valid once started). */
  public List<Integer> boundPorts() {
    return servers.stream().map(MqttServer::actualPort).toList();
  }
}
