package io.outpost.broker;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnectMessage;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A minimal MQTT client on a plain socket, encoding and decoding with Netty's MQTT codec, for tests
 * that need exact control over packets (QoS 2 flows across reconnects, malformed input).
 */
public final class RawMqttClient implements AutoCloseable {

  private final Socket socket;
  private final EmbeddedChannel codec =
      new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);

  public RawMqttClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(50);
    socket.setTcpNoDelay(true);
  }

  public static MqttConnectMessage connect(String clientId, boolean clean, MqttVersion version) {
    return MqttMessageBuilders.connect()
        .clientId(clientId)
        .cleanSession(clean)
        .protocolVersion(version)
        .keepAlive(60)
        .build();
  }

  public static MqttMessage publish(
      String topic, String payload, int qos, int packetId, boolean dup) {
    MqttFixedHeader header =
        new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), false, 0);
    return new io.netty.handler.codec.mqtt.MqttPublishMessage(
        header,
        new io.netty.handler.codec.mqtt.MqttPublishVariableHeader(topic, packetId),
        Unpooled.copiedBuffer(payload, StandardCharsets.UTF_8));
  }

  public static MqttMessage ack(MqttMessageType type, int packetId) {
    MqttQoS qos = type == MqttMessageType.PUBREL ? MqttQoS.AT_LEAST_ONCE : MqttQoS.AT_MOST_ONCE;
    return new MqttMessage(
        new MqttFixedHeader(type, false, qos, false, 0),
        MqttMessageIdVariableHeader.from(packetId));
  }

  public static MqttMessage subscribe(int packetId, String filter, int qos) {
    return MqttMessageBuilders.subscribe()
        .messageId(packetId)
        .addSubscription(MqttQoS.valueOf(qos), filter)
        .build();
  }

  public void send(MqttMessage message) throws IOException {
    codec.writeOutbound(message);
    ByteBuf out;
    while ((out = codec.readOutbound()) != null) {
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      out.release();
      sendRaw(bytes);
    }
  }

  public void sendRaw(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  /**
   * The next packet, or {@code null} when the broker closed the connection or nothing came in time.
   */
  public MqttMessage receive(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buf = new byte[8192];
    InputStream in = socket.getInputStream();
    while (System.nanoTime() < deadline) {
      Object decoded = codec.readInbound();
      if (decoded != null) {
        return (MqttMessage) decoded;
      }
      try {
        int n = in.read(buf);
        if (n < 0) {
          return null;
        }
        codec.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
      } catch (SocketTimeoutException e) {
        // nothing yet; poll again until the deadline
      }
    }
    return null;
  }

  /** The next packet of {@code type}, skipping others (e.g. PINGRESP). */
  public MqttMessage expect(MqttMessageType type, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      MqttMessage m = receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (m == null) {
        return null;
      }
      if (m.fixedHeader().messageType() == type) {
        return m;
      }
    }
    return null;
  }

  /** Whether the broker closed the connection within {@code timeout}. */
  public boolean closedByPeer(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] buf = new byte[8192];
    while (System.nanoTime() < deadline) {
      try {
        if (socket.getInputStream().read(buf) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // still open
      } catch (IOException e) {
        return true; // reset by peer
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    codec.finishAndReleaseAll();
    socket.close();
  }
}
