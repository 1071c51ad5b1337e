package io.outpost.sim.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** {@link SimClient} over Paho's MQTT 3.1.1 asynchronous client. */
final class V3Client implements SimClient {

  private record Subscription(String filter, int qos) {}

  private final ConnectionSettings settings;
  private final MqttAsyncClient client;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private volatile MessageSink sink = (topic, payload) -> {};
  private volatile boolean closed;

  V3Client(ConnectionSettings settings, String clientId) {
    this.settings = settings;
    try {
      this.client = new MqttAsyncClient(settings.serverUri(), clientId, new MemoryPersistence());
    } catch (MqttException e) {
      throw new IllegalArgumentException(
          "cannot create MQTT client for " + settings.serverUri(), e);
    }
    client.setCallback(new Callback());
  }

  @Override
  public String clientId() {
    return client.getClientId();
  }

  @Override
  public CompletableFuture<Void> connect() {
    MqttConnectOptions o = new MqttConnectOptions();
    o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    o.setCleanSession(settings.cleanSession());
    o.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
    o.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    o.setMaxInflight(settings.maxInflight());
    o.setAutomaticReconnect(settings.automaticReconnect());
    o.setMaxReconnectDelay((int) ConnectionSettings.MAX_RECONNECT_DELAY.toMillis());
    if (settings.username() != null) {
      o.setUserName(settings.username());
    }
    if (settings.password() != null) {
      o.setPassword(settings.password().toCharArray());
    }
    SSLSocketFactory tls = TlsSocketFactories.forSettings(settings);
    if (tls != null) {
      o.setSocketFactory(tls);
    }
    if (settings.tlsInsecure()) {
      o.setHttpsHostnameVerificationEnabled(false);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.connect(o, null, listener(done));
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    // Paho bounds only the TCP connect; a broker that accepts but never sends CONNACK is caught
    // here
    return done.orTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void publish(String topic, byte[] payload, int qos, PublishCallback callback)
      throws PublishRejectedException {
    try {
      client.publish(
          topic,
          payload,
          qos,
          false,
          null,
          new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              callback.completed(null);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable failure) {
              callback.completed(failure);
            }
          });
    } catch (MqttException e) {
      throw new PublishRejectedException("publish rejected: " + e.getMessage(), e);
    }
  }

  @Override
  public CompletableFuture<Void> subscribe(String filter, int qos, MessageSink messageSink) {
    this.sink = messageSink;
    subscriptions.add(new Subscription(filter, qos));
    return sendSubscribe(filter, qos);
  }

  private CompletableFuture<Void> sendSubscribe(String filter, int qos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.subscribe(filter, qos, null, listener(done));
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public boolean isConnected() {
    return client.isConnected();
  }

  @Override
  public CompletableFuture<Void> disconnect(Duration quiesce) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!client.isConnected()) {
      done.complete(null);
      return done;
    }
    try {
      client.disconnect(quiesce.toMillis(), null, listener(done));
    } catch (MqttException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    PahoReconnectCycle.stop(client);
    try {
      // also aborts a connect still waiting for CONNACK, which close() alone refuses
      client.disconnectForcibly(0, 1000);
    } catch (MqttException e) {
      if (e.getReasonCode() != MqttException.REASON_CODE_CLIENT_ALREADY_DISCONNECTED) {
        throw new IllegalStateException("disconnecting MQTT client " + clientId() + " failed", e);
      }
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      throw new IllegalStateException("closing MQTT client " + clientId() + " failed", e);
    }
    PahoReconnectCycle.stop(
        client); // a connection loss delivered while closing may have started one
  }

  private static IMqttActionListener listener(CompletableFuture<Void> done) {
    return new IMqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        done.complete(null);
      }

      @Override
      public void onFailure(IMqttToken token, Throwable failure) {
        done.completeExceptionally(failure);
      }
    };
  }

  private final class Callback implements MqttCallbackExtended {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (reconnect) {
        subscriptions.forEach(
            s ->
                sendSubscribe(s.filter(), s.qos())
                    .whenComplete(
                        (ok, e) -> {
                          if (e != null) {
                            System.err.println(
                                clientId()
                                    + ": resubscribing to "
                                    + s.filter()
                                    + " failed: "
                                    + e.getMessage());
                          }
                        }));
      }
    }

    @Override
    public void connectionLost(Throwable cause) {
      // automatic reconnect (when enabled) takes over; publishes meanwhile are rejected and counted
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      sink.onMessage(topic, message.getPayload());
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // completion is reported through each publish's own listener
    }
  }
}
