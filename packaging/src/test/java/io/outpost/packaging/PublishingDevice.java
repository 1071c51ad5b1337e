package io.outpost.packaging;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One device of the crash tests: a Paho MQTT 3.1.1 client publishing QoS 1 or 2 messages to {@code
 * devices/<name>/telemetry} whose payload is a unique id ({@code device0-17}), up to {@value
 * #DEVICE_INFLIGHT} unacknowledged, until the daemon goes away. An id counts as acknowledged only
 * when its publish completed, i.e. the PUBACK (QoS 1) or PUBCOMP (QoS 2) arrived.
 */
final class PublishingDevice implements AutoCloseable {
  /** Unacknowledged publishes per device, so that kills land with publishes in flight. */
  static final int DEVICE_INFLIGHT = 16;

  private static final long STEP_TIMEOUT_SECONDS = 30;
  private static final long DISCONNECT_WAIT_MILLIS = 10_000;

  private final MqttAsyncClient client;
  private final String name;
  private final AtomicLong sequence;
  private final Consumer<String> onAck;
  private final Semaphore window = new Semaphore(DEVICE_INFLIGHT);
  private final Thread publisher;
  private volatile boolean running = true;
  private volatile String stopReason = "";

  private final int qos;

  PublishingDevice(int port, String name, AtomicLong sequence, Consumer<String> onAck)
      throws MqttException {
    this(port, name, sequence, 1, onAck);
  }

  PublishingDevice(int port, String name, AtomicLong sequence, int qos, Consumer<String> onAck)
      throws MqttException {
    this.client = new MqttAsyncClient("tcp://127.0.0.1:" + port, name, new MemoryPersistence());
    this.qos = qos;
    this.name = name;
    this.sequence = sequence;
    this.onAck = onAck;
    this.publisher = new Thread(this::publishUntilStopped, "kill-cycles-" + name);
  }

  IMqttToken beginConnect() throws MqttException {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setAutomaticReconnect(false);
    options.setMaxInflight(DEVICE_INFLIGHT);
    options.setConnectionTimeout((int) STEP_TIMEOUT_SECONDS);
    return client.connect(options);
  }

  /** Starts publishing; idempotent. */
  synchronized void start() {
    if (publisher.getState() == Thread.State.NEW) {
      publisher.start();
    }
  }

  String stopReason() {
    return stopReason.isEmpty() ? "" : name + ": " + stopReason;
  }

  private void publishUntilStopped() {
    String topic = "devices/" + name + "/telemetry";
    try {
      while (running) {
        if (!window.tryAcquire(50, TimeUnit.MILLISECONDS)) {
          continue;
        }
        String id = name + "-" + sequence.getAndIncrement();
        try {
          client.publish(
              topic,
              id.getBytes(StandardCharsets.UTF_8),
              qos,
              false,
              null,
              new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                  onAck.accept(id);
                  window.release();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                  window.release(); // the daemon went away before its PUBACK: not acknowledged
                }
              });
        } catch (MqttException e) {
          window.release();
          if (e.getReasonCode() != MqttException.REASON_CODE_MAX_INFLIGHT) {
            stopReason = e.toString(); // not connected any more: the daemon was killed
            return;
          }
          Thread.sleep(1);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops publishing and disconnects from a daemon that is still running. */
  void disconnect() throws MqttException, InterruptedException {
    stopPublishing();
    client.disconnect(1000).waitForCompletion(TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));
  }

  private void stopPublishing() throws InterruptedException {
    running = false;
    if (publisher.isAlive()) {
      publisher.join(TimeUnit.SECONDS.toMillis(STEP_TIMEOUT_SECONDS));
    }
  }

  /**
   * Stops publishing; waits for the connection to end (the daemon was killed), else disconnects;
   * closes.
   */
  @Override
  public void close() throws MqttException, InterruptedException {
    stopPublishing();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DISCONNECT_WAIT_MILLIS);
    while (client.isConnected() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    if (client.isConnected()) {
      client.disconnectForcibly(0, 1000, false);
    }
    client.close(true);
    if (publisher.isAlive()) {
      throw new AssertionError(publisher.getName() + " did not stop");
    }
  }
}
