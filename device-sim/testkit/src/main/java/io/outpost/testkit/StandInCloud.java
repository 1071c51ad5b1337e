package io.outpost.testkit;

import io.moquette.broker.ClientDescriptor;
import io.moquette.broker.Server;
import io.moquette.broker.config.FluentConfig;
import io.moquette.broker.config.IConfig;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.InterceptHandler;
import io.moquette.interception.messages.InterceptConnectMessage;
import io.moquette.interception.messages.InterceptPublishMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A stand-in for the cloud MQTT broker in tests: an embedded Moquette 0.17 broker (MQTT 3.1.1 only)
 * on 127.0.0.1 with an ephemeral port, in-memory, telemetry off. Records every publish it accepts,
 * lets tests listen to them and publish into it (cloud-to-device traffic), and can drop a client's
 * connection.
 *
 * <pre>{@code
 * try (StandInCloud cloud = StandInCloud.start()) {
 *   connect a client to cloud.url() ... ;
 *   await().until(() -> cloud.count("devices/#") == 10);
 * }
 * }</pre>
 */
public final class StandInCloud implements AutoCloseable {

  /** A publish the broker accepted. */
  public record Received(
      String clientId, String topic, byte[] payload, int qos, boolean retain, boolean dup) {
    /** The payload as UTF-8 text. */
    public String text() {
      return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static final java.time.Duration BIND_TIMEOUT = java.time.Duration.ofSeconds(10);

  private final Server server = new Server();
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  private final List<Consumer<Received>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong connects = new AtomicLong();
  private final int port;
  private boolean stopped;

  private StandInCloud(int maxMessageBytes) throws IOException {
    IConfig config =
        new FluentConfig()
            .host("127.0.0.1")
            .port(0)
            .disablePersistence()
            .allowAnonymous()
            .disableTelemetry()
            .bufferFlushMillis(FluentConfig.BufferFlushKind.IMMEDIATE)
            .build();
    config.setProperty(IConfig.NETTY_MAX_BYTES_PROPERTY_NAME, Integer.toString(maxMessageBytes));
    server.startServer(config, List.<InterceptHandler>of(new Recorder()));
    this.port = boundPort();
  }

  /** The bound port (see {@link MoquettePort}); stops the broker if it never appears. */
  private int boundPort() throws IOException {
    try {
      return MoquettePort.await(server, BIND_TIMEOUT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.stopServer();
      throw new IOException("interrupted while waiting for the stand-in cloud to bind", e);
    } catch (IOException e) {
      server.stopServer();
      throw e;
    }
  }

  /** Starts a broker on 127.0.0.1 with an ephemeral port, accepting messages up to 8 MiB. */
  public static StandInCloud start() {
    return start(8 << 20);
  }

  /**
   * Starts a broker that closes the connection of a client publishing more than {@code
   * maxMessageBytes}.
   */
  public static StandInCloud start(int maxMessageBytes) {
    try {
      return new StandInCloud(maxMessageBytes);
    } catch (IOException e) {
      throw new UncheckedIOException("starting the stand-in cloud broker", e);
    }
  }

  /** The bound port. */
  public int port() {
    return port;
  }

  /** {@code tcp://127.0.0.1:<port>}. */
  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  /** Every publish accepted so far, in arrival order. */
  public List<Received> received() {
    return new ArrayList<>(received);
  }

  /** Accepted publishes whose topic matches the MQTT filter ({@code +} and {@code #} wildcards). */
  public List<Received> received(String topicFilter) {
    Predicate<String> matches = matcher(topicFilter);
    return received.stream().filter(r -> matches.test(r.topic())).toList();
  }

  /** Number of accepted publishes matching the filter. */
  public long count(String topicFilter) {
    return received(topicFilter).size();
  }

  /** Forgets what was recorded so far. */
  public void clear() {
    received.clear();
  }

  /**
   * Calls {@code listener} (on a broker thread; must not block) for every accepted publish matching
   * the filter.
   */
  public void subscribe(String topicFilter, Consumer<Received> listener) {
    Predicate<String> matches = matcher(topicFilter);
    listeners.add(
        r -> {
          if (matches.test(r.topic())) {
            listener.accept(r);
          }
        });
  }

  /** Publishes into the broker as the cloud would (delivered to subscribed clients). */
  public void publish(String topic, byte[] payload, int qos, boolean retain) {
    MqttPublishMessage message =
        MqttMessageBuilders.publish()
            .topicName(topic)
            .qos(MqttQoS.valueOf(qos))
            .retained(retain)
            .payload(Unpooled.copiedBuffer(payload))
            .build();
    server.internalPublish(message, "stand-in-cloud");
  }

  /** Client ids currently connected. */
  public Set<String> connectedClients() {
    Set<String> ids = new TreeSet<>();
    for (ClientDescriptor client : server.listConnectedClients()) {
      ids.add(client.getClientID());
    }
    return ids;
  }

  /** Number of CONNECTs accepted since start. */
  public long connects() {
    return connects.get();
  }

  /**
   * Closes a client's connection (as a cloud-side disconnect would); false if it was not connected.
   */
  public boolean disconnect(String clientId) {
    return server.disconnectClient(clientId);
  }

  /** Stops the broker and releases its port and threads. Idempotent. */
  @Override
  public synchronized void close() {
    if (!stopped) {
      stopped = true;
      server.stopServer();
    }
  }

  /** MQTT topic-filter matching for recorded topics. */
  static Predicate<String> matcher(String filter) {
    String[] parts = filter.split("/", -1);
    return topic -> {
      String[] levels = topic.split("/", -1);
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].equals("#")) {
          return true;
        }
        if (i >= levels.length || !(parts[i].equals("+") || parts[i].equals(levels[i]))) {
          return false;
        }
      }
      return levels.length == parts.length;
    };
  }

  private final class Recorder extends AbstractInterceptHandler {
    @Override
    public String getID() {
      return "outpost-stand-in-cloud-recorder";
    }

    @Override
    public void onConnect(InterceptConnectMessage msg) {
      connects.incrementAndGet();
    }

    @Override
    public void onPublish(InterceptPublishMessage msg) {
      ByteBuf buffer = msg.getPayload();
      byte[] bytes = new byte[buffer.readableBytes()];
      buffer.getBytes(buffer.readerIndex(), bytes);
      Received record =
          new Received(
              msg.getClientID(),
              msg.getTopicName(),
              bytes,
              msg.getQos().value(),
              msg.isRetainFlag(),
              msg.isDupFlag());
      received.add(record);
      for (Consumer<Received> listener : listeners) {
        listener.accept(record);
      }
    }

    @Override
    public void onSessionLoopError(Throwable error) {
      org.slf4j.LoggerFactory.getLogger(StandInCloud.class)
          .error("Stand-in cloud session loop error", error);
    }
  }
}
