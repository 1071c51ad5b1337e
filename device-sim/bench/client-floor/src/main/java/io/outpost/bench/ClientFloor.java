package io.outpost.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * Publishes QoS 1 messages over MQTT 5 (vertx: MQTT 3.1.1) keeping {@code window} awaiting PUBACK,
 * each next publish sent from the completion of a PUBACK, as the daemon's drain does, but with
 * nothing else: no spool, no broker. First {@code warmup} messages (not timed; payloads "warmup:&lt;seq&gt;:..."), then {@code
 * count} timed ones ("floor:&lt;seq&gt;:...") in the same JVM; payloads are 200 bytes. Prints one
 * JSON line: client, window, count, seconds, rate.
 *
 * <pre>
 * java -cp client-floor.jar:lib/* io.outpost.bench.ClientFloor paho|hivemq|vertx HOST PORT COUNT WINDOW WARMUP
 * </pre>
 */
public final class ClientFloor {
  private ClientFloor() {}

  /** One message to publish; the client calls {@link Phase#acknowledged} on its PUBACK. */
  private record Send(Phase phase, byte[] payload) {}

  /** One run of {@code count} messages with a window. */
  private static final class Phase {
    final String label;
    final int count;
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger acknowledged = new AtomicInteger();
    final CountDownLatch done = new CountDownLatch(1);
    Consumer<Send> client;

    Phase(String label, int count) {
      this.label = label;
      this.count = count;
    }

    void next() {
      int seq = sent.getAndIncrement();
      if (seq < count) {
        byte[] body = new byte[200];
        byte[] head = (label + ":" + seq + ":").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, body, 0, head.length);
        client.accept(new Send(this, body));
      }
    }

    void acknowledged() {
      if (acknowledged.incrementAndGet() == count) {
        done.countDown();
      } else {
        next();
      }
    }

    /** Runs the phase; returns its seconds. */
    double run(Consumer<Send> sender, int window) throws InterruptedException {
      client = sender;
      long start = System.nanoTime();
      for (int i = 0; i < window; i++) {
        next();
      }
      if (!done.await(600, TimeUnit.SECONDS)) {
        fail(new IllegalStateException(acknowledged.get() + " of " + count + " acknowledged"));
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  public static void main(String[] args) throws Exception {
    String client = args[0];
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    int count = Integer.parseInt(args[3]);
    int window = Integer.parseInt(args[4]);
    int warmup = Integer.parseInt(args[5]);
    Consumer<Send> sender;
    AutoCloseable close;
    if (client.equals("paho")) {
      MqttAsyncClient paho =
          new MqttAsyncClient(
              "tcp://" + host + ":" + port, "floor-" + System.nanoTime(), new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      paho.connect(options).waitForCompletion();
      MqttActionListener listener =
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              ((Phase) token.getUserContext()).acknowledged();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
              fail(error);
            }
          };
      sender =
          send -> {
            MqttMessage message = new MqttMessage(send.payload());
            message.setQos(1);
            try {
              paho.publish("devices/floor/telemetry", message, send.phase(), listener);
            } catch (MqttException e) {
              fail(e);
            }
          };
      close =
          () -> {
            paho.disconnect().waitForCompletion();
            paho.close();
          };
    } else if (client.equals("hivemq")) {
      Mqtt5AsyncClient hive =
          Mqtt5Client.builder()
              .identifier("floor-" + System.nanoTime())
              .serverHost(host)
              .serverPort(port)
              .buildAsync();
      hive.connectWith().cleanStart(true).send().get();
      sender =
          send ->
              hive.publishWith()
                  .topic("devices/floor/telemetry")
                  .qos(MqttQos.AT_LEAST_ONCE)
                  .payload(send.payload())
                  .send()
                  .whenComplete(
                      (result, error) -> {
                        if (error != null) {
                          fail(error);
                        }
                        send.phase().acknowledged();
                      });
      close = () -> hive.disconnect().get();
    } else if (client.equals("vertx")) {
      // MQTT 3.1.1 only; the PUBACK handler runs on the connection's event loop, which then writes
      // the next publish itself (only the first window is sent from another context)
      Vertx vertx = Vertx.vertx();
      MqttClientOptions options =
          new MqttClientOptions()
              .setClientId("floor-" + System.nanoTime())
              .setCleanSession(true)
              .setMaxInflightQueue(window + 1);
      MqttClient mqtt = MqttClient.create(vertx, options);
      Map<Integer, Phase> pending = new ConcurrentHashMap<>();
      mqtt.publishCompletionHandler(id -> pending.remove(id).acknowledged());
      mqtt.connect(port, host).toCompletionStage().toCompletableFuture().get();
      var context = vertx.getOrCreateContext();
      sender =
          send -> {
            Runnable publish =
                () ->
                    mqtt.publish(
                            "devices/floor/telemetry",
                            Buffer.buffer(send.payload()),
                            MqttQoS.AT_LEAST_ONCE,
                            false,
                            false)
                        .onSuccess(id -> pending.put(id, send.phase()))
                        .onFailure(ClientFloor::fail);
            if (Vertx.currentContext() != null) {
              publish.run();
            } else {
              context.runOnContext(v -> publish.run());
            }
          };
      close =
          () -> {
            mqtt.disconnect().toCompletionStage().toCompletableFuture().get();
            vertx.close().toCompletionStage().toCompletableFuture().get();
          };
    } else {
      throw new IllegalArgumentException("client: paho, hivemq or vertx, got " + client);
    }
    if (warmup > 0) {
      new Phase("warmup", warmup).run(sender, window);
    }
    double seconds = new Phase("floor", count).run(sender, window);
    System.out.printf(
        "{\"client\":\"%s\",\"window\":%d,\"count\":%d,\"seconds\":%.3f,\"rate\":%.0f}%n",
        client, window, count, seconds, count / seconds);
    close.close();
  }

  private static void fail(Throwable error) {
    error.printStackTrace();
    System.exit(1);
  }
}
