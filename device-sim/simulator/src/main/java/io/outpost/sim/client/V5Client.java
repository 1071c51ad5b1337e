package io.outpost.sim.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** {@link SimClient} over Paho's MQTT 5 asynchronous client. */
final class V5Client implements SimClient {

  private record Subscription(String filter, int qos) {}

  private final ConnectionSettings settings;
  private final MqttAsyncClient client;
  private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
  private volatile MessageSink sink = (topic, payload) -> {};
  private volatile boolean closed;

  V5Client(ConnectionSettings settings, String clientId) {
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
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(settings.cleanSession());
    if (!settings.cleanSession()) {
      o.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
    }
    o.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
    o.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    o.setReceiveMaximum(settings.maxInflight());
    o.setAutomaticReconnect(settings.automaticReconnect());
    o.setMaxReconnectDelay((int) ConnectionSettings.MAX_RECONNECT_DELAY.toMillis());
    if (settings.username() != null) {
      o.setUserName(settings.username());
    }
    if (settings.password() != null) {
      o.setPassword(settings.password().getBytes(StandardCharsets.UTF_8));
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
          new MqttActionListener() {
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
      client.disconnect(quiesce.toMillis(), null, listener(done), 0, new MqttProperties());
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
      client.disconnectForcibly(0, 1000, false);
    } catch (MqttException e) {
      if (e.getReasonCode()
          != org.eclipse.paho.mqttv5.client.MqttClientException
              .REASON_CODE_CLIENT_ALREADY_DISCONNECTED) {
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

  private static MqttActionListener listener(CompletableFuture<Void> done) {
    return new MqttActionListener() {
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

  private final class Callback implements MqttCallback {
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
    public void disconnected(MqttDisconnectResponse response) {
      // automatic reconnect (when enabled) takes over; publishes meanwhile are rejected and counted
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      // protocol errors surface as failed publish/subscribe tokens, which the callers count
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      sink.onMessage(topic, message.getPayload());
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // completion is reported through each publish's own listener
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // enhanced authentication is not used by the simulator
    }
  }
}
