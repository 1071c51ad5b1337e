package io.outpost.broker.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageType;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPublishMessage;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttEndpoint;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EndpointSocket} reaches the socket of this vertx-mqtt version, and packets it writes in a
 * batch arrive complete and in order, also when the connection is closed before the batch ends.
 */
class EndpointSocketTest {

  private static final int SOCKET_TIMEOUT_MILLIS = 10_000;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void reachesThePipelineOfThisVertxMqttVersion() {
    assertThat(EndpointSocket.available()).isTrue();
  }

  @Test
  void batchArrivesCompleteAndInOrder() throws Exception {
    AtomicReference<Object> inPipeline = new AtomicReference<>();
    List<String> received =
        receiveUntilClosed(
            (ep, batch) -> {
              inPipeline.set(
                  EndpointSocket.socket(ep)
                      .channelHandlerContext()
                      .pipeline()
                      .get(EndpointSocket.FLUSH_BATCH));
              Buffer shared = Buffer.buffer("payload shared by every packet");
              batch.hold();
              for (int i = 0; i < 500; i++) {
                batch.publish(
                    "t/" + i,
                    shared,
                    i % 2,
                    false,
                    false,
                    i % 2 == 0 ? 0 : i,
                    MqttProperties.NO_PROPERTIES);
              }
              batch.release();
              ep.close();
            });

    assertThat(inPipeline.get()).isInstanceOf(FlushBatch.class);
    assertThat(received).hasSize(500);
    for (int i = 0; i < 500; i++) {
      assertThat(received.get(i)).isEqualTo("t/" + i + " payload shared by every packet");
    }
  }

  @Test
  void closeInsideABatchFlushesWhatWasWrittenFirst() throws Exception {
    List<String> received =
        receiveUntilClosed(
            (ep, batch) -> {
              batch.hold();
              for (int i = 0; i < 10; i++) {
                batch.publish(
                    "t", Buffer.buffer("m" + i), 0, false, false, 0, MqttProperties.NO_PROPERTIES);
              }
              ep.close();
              batch.release();
            });

    assertThat(received)
        .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  /**
   * Starts a server that runs {@code burst} on the endpoint (from a task, as the broker writes
   * messages routed from other connections) after CONNACK; connects a raw client and returns the
   * payloads of every PUBLISH it read until the server closed the connection.
   */
  private List<String> receiveUntilClosed(BiConsumer<MqttEndpoint, EndpointSocket> burst)
      throws Exception {
    MqttServer server = MqttServer.create(vertx, new MqttServerOptions().setAutoClientId(false));
    server.endpointHandler(
        ep -> {
          EndpointSocket batch = EndpointSocket.attach(ep);
          ep.accept(false);
          vertx.runOnContext(v -> burst.accept(ep, batch));
        });
    int port =
        server
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .actualPort();
    EmbeddedChannel codec = new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
      codec.writeOutbound(
          MqttMessageBuilders.connect()
              .clientId("c")
              .protocolVersion(MqttVersion.MQTT_3_1_1)
              .cleanSession(true)
              .keepAlive(60)
              .build());
      ByteBuf connect = codec.readOutbound();
      byte[] bytes = new byte[connect.readableBytes()];
      connect.readBytes(bytes);
      connect.release();
      socket.getOutputStream().write(bytes);
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all); // until the server closes
      codec.writeInbound(Unpooled.wrappedBuffer(all.toByteArray()));
    }
    List<String> payloads = new ArrayList<>();
    MqttMessage m;
    while ((m = codec.readInbound()) != null) {
      if (m.fixedHeader().messageType() == MqttMessageType.PUBLISH) {
        MqttPublishMessage p = (MqttPublishMessage) m;
        String payload = p.payload().toString(StandardCharsets.UTF_8);
        payloads.add(
            p.variableHeader().topicName().startsWith("t/")
                ? p.variableHeader().topicName() + " " + payload
                : payload);
        p.release();
      }
    }
    codec.finishAndReleaseAll();
    return payloads;
  }
}
