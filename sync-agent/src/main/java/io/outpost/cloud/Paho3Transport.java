package io.outpost.cloud;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CloudTransport} over the Paho MQTT 3.1.1 async client (no properties, no reason codes).
 */
final class Paho3Transport implements CloudTransport {
  private static final Logger LOG = LoggerFactory.getLogger(Paho3Transport.class);
  private static final long CLOSE_TIMEOUT_MILLIS = 1000;

  private final CloudOptions options;
  private final SocketFactory socketFactory;
  private final byte[] willPayload;
  private final MqttAsyncClient client;
  private volatile boolean closed;

  Paho3Transport(CloudOptions options, CloudEndpoint endpoint, byte[] willPayload, Events events)
      throws MqttException {
    this.options = options;
    this.socketFactory = endpoint.socketFactory();
    this.willPayload = willPayload;
    this.client =
        new MqttAsyncClient(endpoint.pahoUrl(), options.clientId(), new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {
            events.connectionLost(cause);
          }

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            int id = message.getId();
            int qos = message.getQos();
            events.messageArrived(
                new CloudMessage(topic, message.getPayload(), qos, message.isRetained(), List.of()),
                () -> acknowledge(id, qos));
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {
            // completion is observed through the per-publish listener
          }
        });
    // downlinks are acknowledged once the gateway took them in (see acknowledge), not when the
    // callback returns
    client.setManualAcks(true);
  }

  @Override
  public CompletableFuture<Void> connect() {
    MqttConnectOptions connect = new MqttConnectOptions();
    connect.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    connect.setCleanSession(false);
    connect.setKeepAliveInterval(options.keepAliveSeconds());
    connect.setConnectionTimeout(options.connectTimeoutSeconds());
    connect.setAutomaticReconnect(false);
    connect.setMaxInflight(options.inflightWindow() + 2); // + status publishes
    if (options.username() != null) {
      connect.setUserName(options.username());
    }
    if (options.password() != null) {
      connect.setPassword(options.password().chars());
    }
    if (socketFactory != null) {
      connect.setSocketFactory(socketFactory);
    }
    connect.setWill(options.resolvedStatusTopic(), willPayload, 1, true);
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.connect(connect, null, listener(done));
    } catch (MqttException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public CompletableFuture<Integer> publish(
      String topic,
      byte[] payload,
      int qos,
      boolean retain,
      List<Map.Entry<String, String>> userProperties,
      String contentType) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      client.publish(topic, payload, Math.min(qos, 1), retain, null, listener(sent));
    } catch (MqttException | RuntimeException e) {
      sent.completeExceptionally(e);
    }
    return sent.thenApply(ok -> 0);
  }

  @Override
  public CompletableFuture<Void> subscribe(List<String> filters, int qos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (filters.isEmpty()) {
      done.complete(null);
      return done;
    }
    int[] qosArray = new int[filters.size()];
    java.util.Arrays.fill(qosArray, qos);
    try {
      client.subscribe(filters.toArray(String[]::new), qosArray, null, listener(done));
    } catch (MqttException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /**
   * MQTT 3.1.1 has no Receive Maximum; Paho's own limit is the configured window (+ status
   * publishes).
   */
  @Override
  public CompletableFuture<Void> unsubscribe(List<String> filters) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (filters.isEmpty()) {
      done.complete(null);
      return done;
    }
    try {
      client.unsubscribe(filters.toArray(String[]::new), null, listener(done));
    } catch (MqttException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  /**
   * Sends the PUBACK of a downlink; on a connection that is gone the cloud redelivers it on the
   * next one.
   */
  private void acknowledge(int messageId, int qos) {
    if (qos == 0 || closed) {
      return;
    }
    try {
      client.messageArrivedComplete(messageId, qos);
    } catch (MqttException | RuntimeException e) {
      LOG.debug("Could not acknowledge downlink {}; the cloud will send it again", messageId, e);
    }
  }

  @Override
  public int receiveMaximum() {
    return Integer.MAX_VALUE;
  }

  @Override
  public CompletableFuture<Void> disconnect(long quiesceMillis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.disconnect(quiesceMillis, null, listener(done));
    } catch (MqttException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (client.isConnected()) {
        client.disconnectForcibly(0, CLOSE_TIMEOUT_MILLIS, false);
      }
    } catch (MqttException e) {
      LOG.debug("Forcible disconnect of the cloud connection failed", e);
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.warn("Closing the Paho client failed; its threads may linger", e);
    }
  }

  private static IMqttActionListener listener(CompletableFuture<Void> done) {
    return new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        done.complete(null);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable error) {
        done.completeExceptionally(error);
      }
    };
  }
}
