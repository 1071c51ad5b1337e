package io.outpost.sim.client;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One simulated MQTT connection, hiding whether Paho's v3 or v5 client is underneath. Every
 * operation is asynchronous; callbacks run on Paho's callback thread and must not block.
 */
public interface SimClient extends AutoCloseable {

  /** Receives messages for this client's subscriptions. */
  @FunctionalInterface
  interface MessageSink {
    void onMessage(String topic, byte[] payload);
  }

  /** Completion of one publish: {@code failure} is null on success. */
  @FunctionalInterface
  interface PublishCallback {
    void completed(Throwable failure);
  }

  /** The MQTT client id. */
  String clientId();

  /** Connects; completes when CONNACK arrives. */
  CompletableFuture<Void> connect();

  /**
   * Publishes; {@code callback} runs when the broker acknowledged (QoS 1: PUBACK, QoS 2: PUBCOMP)
   * or, for QoS 0, when the message was written.
   *
   * @throws PublishRejectedException when the client refuses the message right away (not connected,
   *     window full); nothing was sent, so the caller may try the same message again later
   */
  void publish(String topic, byte[] payload, int qos, PublishCallback callback)
      throws PublishRejectedException;

  /**
   * Subscribes, delivering to {@code sink}; the subscription is renewed after every automatic
   * reconnect. Completes when SUBACK arrives.
   */
  CompletableFuture<Void> subscribe(String filter, int qos, MessageSink sink);

  boolean isConnected();

  /** Disconnects cleanly, waiting at most {@code quiesce} for in-flight work. */
  CompletableFuture<Void> disconnect(Duration quiesce);

  /** Releases the client's threads and sockets, forcibly if still connected. Idempotent. */
  @Override
  void close();
}
