package io.outpost.broker.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.mqtt.MqttFixedHeader;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttPublishVariableHeader;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.mqtt.MqttEndpoint;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket under a vertx-mqtt endpoint, for the one hot path the endpoint makes expensive:
 * writing PUBLISHes.
 *
 * <ul>
 *   <li>No payload copies: {@code MqttEndpoint.publish} copies the payload twice per subscriber;
 *       here every subscriber's packet shares the received buffer (a read-only slice), and the only
 *       copy left is Netty's encoding into the socket buffer.
 *   <li>One flush per batch: a {@link FlushBatch} in the pipeline merges the flushes of the packets
 *       a connection writes in one task (vertx-mqtt flushes each packet, one {@code write(2)} per
 *       packet).
 * </ul>
 *
 * Packets go through the same Vert.x write path as the endpoint's own (CONNACK, PUBACK, ...), so
 * their order is kept. vertx-mqtt 5 does not expose its socket, so it is read from the endpoint's
 * field; if an upgrade renames it, {@link #attach} returns {@code null}, connections publish
 * through the endpoint as before, and a unit test fails.
 */
final class EndpointSocket {

  /** Name of the {@link FlushBatch} in the channel pipeline. */
  static final String FLUSH_BATCH = "outpostFlushBatch";

  private static final Logger LOG = LoggerFactory.getLogger(EndpointSocket.class);
  private static final Field SOCKET = socketField();

  private final NetSocketInternal socket;
  private final FlushBatch flushBatch;

  private EndpointSocket(NetSocketInternal socket, FlushBatch flushBatch) {
    this.socket = socket;
    this.flushBatch = flushBatch;
  }

  /** Whether the socket can be reached with this vertx-mqtt version. */
  static boolean available() {
    return SOCKET != null;
  }

  /**
   * The socket of {@code endpoint}, with a {@link FlushBatch} installed; {@code null} when it
   * cannot be reached or the channel is already gone. Call on the connection's event loop.
   */
  static EndpointSocket attach(MqttEndpoint endpoint) {
    NetSocketInternal socket = socket(endpoint);
    if (socket == null) {
      return null;
    }
    ChannelHandlerContext vertxHandler = socket.channelHandlerContext();
    if (vertxHandler.isRemoved()) {
      return null;
    }
    ChannelPipeline pipeline = vertxHandler.pipeline();
    FlushBatch batch =
        pipeline.get(FLUSH_BATCH) instanceof FlushBatch existing ? existing : new FlushBatch();
    if (pipeline.get(FLUSH_BATCH) == null) {
      pipeline.addBefore(vertxHandler.name(), FLUSH_BATCH, batch);
    }
    return new EndpointSocket(socket, batch);
  }

  /**
   * Writes a PUBLISH; {@code payload} is shared, not copied. Completes when written to the socket,
   * fails when the connection is closed.
   */
  Future<Void> publish(
      String topic,
      Buffer payload,
      int qos,
      boolean dup,
      boolean retain,
      int packetId,
      MqttProperties props) {
    MqttFixedHeader header =
        new MqttFixedHeader(MqttMessageType.PUBLISH, dup, MqttQoS.valueOf(qos), retain, 0);
    MqttPublishVariableHeader variable = new MqttPublishVariableHeader(topic, packetId, props);
    // a slice of Vert.x's unreleasable heap buffer: the encoder's release after writing leaves it
    // intact
    ByteBuf shared =
        payload instanceof BufferInternal b
            ? b.getByteBuf()
            : Unpooled.wrappedBuffer(payload.getBytes());
    return socket.writeMessage(new MqttPublishMessage(header, variable, shared));
  }

  /** Stops reading from the client (TCP backpressure on it). */
  void pause() {
    socket.pause();
  }

  /** Reads from the client again. */
  void resume() {
    socket.resume();
  }

  /** Starts a batch of writes whose flushes are merged. */
  void hold() {
    flushBatch.hold();
  }

  /** Ends the batch with one flush. */
  void release() {
    flushBatch.release();
  }

  /** The Vert.x socket of {@code endpoint}, or {@code null}. */
  static NetSocketInternal socket(MqttEndpoint endpoint) {
    if (SOCKET == null || !SOCKET.getDeclaringClass().isInstance(endpoint)) {
      return null;
    }
    try {
      return SOCKET.get(endpoint) instanceof NetSocketInternal s ? s : null;
    } catch (IllegalAccessException e) {
      LOG.warn("cannot reach the socket of {}; publishing through the endpoint", endpoint, e);
      return null;
    }
  }

  private static Field socketField() {
    try {
      Field f = Class.forName("io.vertx.mqtt.impl.MqttEndpointImpl").getDeclaredField("conn");
      if (!NetSocketInternal.class.isAssignableFrom(f.getType())) {
        LOG.warn(
            "vertx-mqtt endpoint field 'conn' is a {}; publishing through the endpoint",
            f.getType());
        return null;
      }
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("vertx-mqtt internals changed; publishing through the endpoint", e);
      return null;
    }
  }
}
