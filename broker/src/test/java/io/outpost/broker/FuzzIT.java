package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Throws more than 100,000 random and mutated packets at a running broker over raw sockets, then
 * checks that it still serves a well-behaved client, that every connection was cleaned up, and that
 * its heap stayed bounded.
 */
class FuzzIT {

  private static final int PACKETS = Integer.getInteger("outpost.fuzz.packets", 100_000);
  private static final int PACKETS_PER_CONNECTION = 100;
  private static final long HEAP_GROWTH_LIMIT = 64L * 1024 * 1024;
  private static final List<String> NOISY_LOGGERS = List.of("io.vertx", "io.netty", "io.outpost");

  @TempDir Path dir;
  BrokerFixture fixture;
  final Map<String, Level> savedLevels = new java.util.HashMap<>();

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
    savedLevels.forEach((name, level) -> ((Logger) LoggerFactory.getLogger(name)).setLevel(level));
  }

  private void quietLogs() {
    // the broker answers garbage by closing connections; vertx logs each decoder failure it sees
    // before CONNECT
    for (String name : NOISY_LOGGERS) {
      Logger logger = (Logger) LoggerFactory.getLogger(name);
      savedLevels.put(name, logger.getLevel());
      logger.setLevel(Level.OFF);
    }
  }

  @Test
  void survivesRandomAndMutatedPacketsWithBoundedHeap() throws Exception {
    quietLogs();
    BrokerOptions options =
        new BrokerOptions(
            BrokerFixture.localOptions().listeners(),
            2,
            null,
            64 * 1024,
            null,
            null,
            100,
            null,
            50,
            50,
            60L,
            null,
            2,
            null,
            null);
    fixture = BrokerFixture.start(dir, options, PublishRouter.NONE);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Templates v4 = new Templates(MqttVersion.MQTT_3_1_1);
    Templates v5 = new Templates(MqttVersion.MQTT_5);
    long heapBefore = usedHeapAfterGc();

    int sent = 0;
    int connections = 0;
    while (sent < PACKETS) {
      connections++;
      Templates t = random.nextBoolean() ? v4 : v5;
      try (Socket socket = new Socket("127.0.0.1", fixture.port())) {
        socket.setSoLinger(true, 0);
        OutputStream out = socket.getOutputStream();
        int mode = random.nextInt(10);
        byte[] connect = t.connect("fuzz-" + random.nextInt(40), random.nextBoolean());
        out.write(mode == 0 ? randomBytes(random) : mode == 1 ? mutate(connect, random) : connect);
        sent++;
        for (int i = 0; i < PACKETS_PER_CONNECTION && sent < PACKETS; i++) {
          byte[] packet = t.packets.get(random.nextInt(t.packets.size()));
          out.write(random.nextInt(10) < 7 ? mutate(packet, random) : packet);
          sent++;
        }
        out.flush();
      } catch (IOException e) {
        // the broker closed a connection it could not parse: expected, keep fuzzing
      }
    }

    assertThat(sent).as("seed %d", seed).isGreaterThanOrEqualTo(PACKETS);
    // a client that reset its socket while its CONNECT was in flight is only noticed by the
    // keep-alive check
    fixture.clock.advance(Duration.ofSeconds(2L * BrokerOptions.DEFAULT_MAX_KEEP_ALIVE_SECONDS));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> fixture.broker.connectedClients() == 0);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("still connected: " + fixture.broker.clients(), e);
    }
    assertThat(fixture.counter("outpost.broker.protocol.errors")).as("seed %d", seed).isPositive();

    try (V5Client sub = new V5Client(fixture.url(), "good-sub");
        V5Client pub = new V5Client(fixture.url(), "good-pub")) {
      sub.connect();
      sub.client.subscribe("healthy/#", 2).waitForCompletion(V5Client.TIMEOUT_MILLIS);
      pub.connect().publish("healthy/check", "still serving", 2, false);
      await().atMost(Duration.ofSeconds(10)).until(() -> sub.received.size() == 1);
      assertThat(sub.received.get(0).text()).isEqualTo("still serving");
    }
    long growth = usedHeapAfterGc() - heapBefore;
    assertThat(growth)
        .as("heap growth after %d packets on %d connections, seed %d", sent, connections, seed)
        .isLessThan(HEAP_GROWTH_LIMIT);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return rt.totalMemory() - rt.freeMemory();
  }

  private static byte[] randomBytes(Random r) {
    byte[] b = new byte[1 + r.nextInt(200)];
    r.nextBytes(b);
    return b;
  }

  /** Bit flips, byte overwrites, truncation, insertion, a bogus length or type. */
  static byte[] mutate(byte[] packet, Random r) {
    byte[] p = packet.clone();
    switch (r.nextInt(6)) {
      case 0 -> {
        for (int i = 0, n = 1 + r.nextInt(5); i < n; i++) {
          p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 1 -> p[r.nextInt(p.length)] = (byte) r.nextInt(256);
      case 2 -> p = Arrays.copyOf(p, Math.max(1, r.nextInt(p.length)));
      case 3 -> {
        byte[] extra = randomBytes(r);
        int at = r.nextInt(p.length + 1);
        byte[] q = new byte[p.length + extra.length];
        System.arraycopy(p, 0, q, 0, at);
        System.arraycopy(extra, 0, q, at, extra.length);
        System.arraycopy(p, at, q, at + extra.length, p.length - at);
        p = q;
      }
      case 4 -> {
        if (p.length > 1) {
          p[1] = (byte) r.nextInt(256);
        }
      }
      default -> p[0] = (byte) ((r.nextInt(16) << 4) | (p[0] & 0x0F));
    }
    return p;
  }

  /** Valid encoded packets of one protocol version, the raw material for mutation. */
  static final class Templates {
    final MqttVersion version;
    final List<byte[]> packets = new ArrayList<>();

    Templates(MqttVersion version) {
      this.version = version;
      EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
      encode(ch, connectMessage("template", true)); // sets the codec's protocol version
      MqttProperties props = new MqttProperties();
      if (version == MqttVersion.MQTT_5) {
        props.add(new MqttProperties.StringProperty(MqttProperties.CONTENT_TYPE, "text/plain"));
        props.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, 1));
        props.add(
            new MqttProperties.UserProperties(List.of(new MqttProperties.StringPair("k", "v"))));
      }
      for (MqttQoS qos :
          List.of(MqttQoS.AT_MOST_ONCE, MqttQoS.AT_LEAST_ONCE, MqttQoS.EXACTLY_ONCE)) {
        for (boolean retain : List.of(false, true)) {
          packets.add(
              encode(
                  ch,
                  MqttMessageBuilders.publish()
                      .topicName("fuzz/a/b")
                      .qos(qos)
                      .retained(retain)
                      .messageId(qos == MqttQoS.AT_MOST_ONCE ? 0 : 1 + qos.value())
                      .properties(props)
                      .payload(Unpooled.copiedBuffer("payload", StandardCharsets.UTF_8))
                      .build()));
        }
      }
      packets.add(
          encode(
              ch,
              MqttMessageBuilders.subscribe()
                  .messageId(3)
                  .addSubscription(MqttQoS.EXACTLY_ONCE, "fuzz/#")
                  .addSubscription(MqttQoS.AT_LEAST_ONCE, "+/x")
                  .build()));
      packets.add(
          encode(
              ch,
              MqttMessageBuilders.subscribe()
                  .messageId(4)
                  .addSubscription(MqttQoS.AT_LEAST_ONCE, "$share/g/fuzz/+")
                  .build()));
      packets.add(
          encode(
              ch, MqttMessageBuilders.unsubscribe().messageId(5).addTopicFilter("fuzz/#").build()));
      for (MqttMessageType type :
          List.of(
              MqttMessageType.PUBACK,
              MqttMessageType.PUBREC,
              MqttMessageType.PUBREL,
              MqttMessageType.PUBCOMP)) {
        packets.add(encode(ch, RawMqttClient.ack(type, 1 + packets.size())));
      }
      packets.add(encode(ch, MqttMessage.PINGREQ));
      packets.add(encode(ch, MqttMessageBuilders.disconnect().build()));
      packets.add(encode(ch, connectMessage("again", false)));
      ch.finishAndReleaseAll();
    }

    byte[] connect(String clientId, boolean clean) {
      EmbeddedChannel ch = new EmbeddedChannel(MqttEncoder.INSTANCE);
      byte[] bytes = encode(ch, connectMessage(clientId, clean));
      ch.finishAndReleaseAll();
      return bytes;
    }

    private MqttMessage connectMessage(String clientId, boolean clean) {
      return MqttMessageBuilders.connect()
          .clientId(clientId)
          .protocolVersion(version)
          .cleanSession(clean)
          .keepAlive(30)
          .willFlag(true)
          .willTopic("fuzz/will")
          .willMessage("bye".getBytes(StandardCharsets.UTF_8))
          .willQoS(MqttQoS.AT_LEAST_ONCE)
          .build();
    }

    private static byte[] encode(EmbeddedChannel ch, MqttMessage m) {
      ch.writeOutbound(m);
      ByteBuf buf = ch.readOutbound();
      byte[] bytes = new byte[buf.readableBytes()];
      buf.readBytes(bytes);
      buf.release();
      return bytes;
    }
  }
}
