package io.outpost.cloud;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One MQTT connection to the cloud. The link creates a fresh transport for every connection attempt
 * and closes it when the connection ends, so no client-side in-flight state survives a reconnect:
 * the spool is the only source of truth and redelivers everything that was not acknowledged.
 */
interface CloudTransport {

  /** Receives what happens on the connection; called on Paho's threads, must not block. */
  interface Events {
    void connectionLost(Throwable cause);

    /**
     * A message from the cloud. For QoS 1 the cloud gets its PUBACK only when {@code ack} runs
     * (once the gateway took the message in); if the connection ends first, the cloud redelivers it
     * on the next one.
     */
    void messageArrived(CloudMessage message, Runnable ack);
  }

  /** Connects with a persistent session and the offline status as will. */
  CompletableFuture<Void> connect();

  /**
   * Publishes; completes with the PUBACK reason code (always {@code 0} for MQTT 3.1.1 and QoS 0), a
   * code {@code >= 0x80} meaning the cloud refused the message. Fails when the message could not be
   * delivered on this connection.
   */
  CompletableFuture<Integer> publish(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      List<Map.Entry<String, String>> userProperties,
      String contentType);

  CompletableFuture<Void> subscribe(List<String> filters, int qos);

  CompletableFuture<Void> unsubscribe(List<String> filters);

  /**
   * Most unacknowledged QoS 1 publishes the server accepts (MQTT 5 Receive Maximum from CONNACK).
   */
  int receiveMaximum();

  /**
   * Orderly DISCONNECT after up to {@code quiesceMillis} for in-flight work; call {@link #close()}
   * afterwards.
   */
  CompletableFuture<Void> disconnect(long quiesceMillis);

  /** Drops the connection without ceremony and releases every thread. Idempotent; never throws. */
  void close();
}
