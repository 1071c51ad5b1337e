package io.outpost.cloud;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link CloudTransport} over the Paho MQTT 5 async client. */
final class Paho5Transport implements CloudTransport {
  private static final Logger LOG = LoggerFactory.getLogger(Paho5Transport.class);
  private static final long CLOSE_TIMEOUT_MILLIS = 1000;

  /** The MQTT 5 default when the server sends no Receive Maximum. */
  private static final int UNLIMITED = 65_535;

  private final CloudOptions options;
  private final SocketFactory socketFactory;
  private final byte[] willPayload;
  private final MqttAsyncClient client;
  private volatile boolean closed;
  private volatile int receiveMaximum = UNLIMITED;

  Paho5Transport(CloudOptions options, CloudEndpoint endpoint, byte[] willPayload, Events events)
      throws MqttException {
    this.options = options;
    this.socketFactory = endpoint.socketFactory();
    this.willPayload = willPayload;
    this.client =
        new MqttAsyncClient(endpoint.pahoUrl(), options.clientId(), new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void disconnected(MqttDisconnectResponse response) {
            events.connectionLost(
                response.getException() != null
                    ? response.getException()
                    : new MqttException(response.getReturnCode()));
          }

          @Override
          public void mqttErrorOccurred(MqttException exception) {
            LOG.warn("Cloud connection reported an MQTT error", exception);
          }

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            List<Map.Entry<String, String>> properties = new ArrayList<>();
            MqttProperties props = message.getProperties();
            if (props != null && props.getUserProperties() != null) {
              for (UserProperty p : props.getUserProperties()) {
                properties.add(Map.entry(p.getKey(), p.getValue()));
              }
            }
            int id = message.getId();
            int qos = message.getQos();
            events.messageArrived(
                new CloudMessage(
                    topic,
                    message.getPayload(),
                    qos,
                    message.isRetained(),
                    properties,
                    downlinkProperties(props)),
                () -> acknowledge(id, qos));
          }

          @Override
          public void deliveryComplete(IMqttToken token) {
            // completion is observed through the per-publish listener
          }

          @Override
          public void connectComplete(boolean reconnect, String serverUri) {
            LOG.debug("Connected to {}", serverUri);
          }

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {
            LOG.debug("AUTH packet {} ignored", reasonCode);
          }
        });
    // downlinks are acknowledged once the gateway took them in (see acknowledge), not when the
    // callback returns
    client.setManualAcks(true);
  }

  @Override
  public CompletableFuture<Void> connect() {
    MqttConnectionOptions connect = new MqttConnectionOptions();
    connect.setCleanStart(false);
    connect.setSessionExpiryInterval(options.sessionExpirySeconds());
    connect.setKeepAliveInterval(options.keepAliveSeconds());
    connect.setConnectionTimeout(options.connectTimeoutSeconds());
    connect.setAutomaticReconnect(false);
    connect.setReceiveMaximum(options.inflightWindow());
    if (options.username() != null) {
      connect.setUserName(options.username());
    }
    if (options.password() != null) {
      connect.setPassword(options.password().utf8());
    }
    if (socketFactory != null) {
      connect.setSocketFactory(socketFactory);
    }
    MqttMessage will = new MqttMessage(willPayload, 1, true, new MqttProperties());
    connect.setWill(options.resolvedStatusTopic(), will);
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.connect(
          connect,
          null,
          listener(
              done,
              token -> {
                MqttProperties response = token.getResponseProperties();
                if (response != null
                    && response.getReceiveMaximum() != null
                    && response.getReceiveMaximum() > 0) {
                  receiveMaximum = response.getReceiveMaximum();
                }
                return null;
              }));
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
    MqttProperties properties = new MqttProperties();
    if (!userProperties.isEmpty()) {
      List<UserProperty> list = new ArrayList<>(userProperties.size());
      for (Map.Entry<String, String> p : userProperties) {
        list.add(new UserProperty(p.getKey(), p.getValue()));
      }
      properties.setUserProperties(list);
    }
    if (contentType != null) {
      properties.setContentType(contentType);
    }
    CompletableFuture<Integer> done = new CompletableFuture<>();
    try {
      client.publish(
          topic,
          new MqttMessage(payload, Math.min(qos, 1), retain, properties),
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              int[] codes = token.getReasonCodes();
              done.complete(codes == null || codes.length == 0 ? 0 : codes[0]);
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
              if (error instanceof MqttException e
                  && e.getReasonCode() >= 0x80
                  && e.getReasonCode() <= 0xFF) {
                done.complete(e.getReasonCode());
              } else {
                done.completeExceptionally(error);
              }
            }
          });
    } catch (MqttException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public CompletableFuture<Void> subscribe(List<String> filters, int qos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (filters.isEmpty()) {
      done.complete(null);
      return done;
    }
    MqttSubscription[] subscriptions =
        filters.stream().map(f -> new MqttSubscription(f, qos)).toArray(MqttSubscription[]::new);
    try {
      client.subscribe(subscriptions, null, listener(done, token -> null), new MqttProperties());
    } catch (MqttException | RuntimeException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public CompletableFuture<Void> unsubscribe(List<String> filters) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (filters.isEmpty()) {
      done.complete(null);
      return done;
    }
    try {
      client.unsubscribe(
          filters.toArray(String[]::new),
          null,
          listener(done, token -> null),
          new MqttProperties());
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
    return receiveMaximum;
  }

  @Override
  public CompletableFuture<Void> disconnect(long quiesceMillis) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      client.disconnect(
          quiesceMillis, null, listener(done, token -> null), 0, new MqttProperties());
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

  private static <T> MqttActionListener listener(
      CompletableFuture<T> done, java.util.function.Function<IMqttToken, T> value) {
    return new MqttActionListener() {
      @Override
      public void onSuccess(IMqttToken token) {
        done.complete(value.apply(token));
      }

      @Override
      public void onFailure(IMqttToken token, Throwable error) {
        done.completeExceptionally(error);
      }
    };
  }

  /** The application properties of a message the cloud delivered, besides user properties. */
  static CloudMessage.Properties downlinkProperties(MqttProperties props) {
    if (props == null) {
      return CloudMessage.Properties.NONE;
    }
    return new CloudMessage.Properties(
        props.getContentType(),
        props.getResponseTopic(),
        props.getCorrelationData(),
        props.getPayloadFormat() ? 1 : null,
        props.getMessageExpiryInterval());
  }
}
