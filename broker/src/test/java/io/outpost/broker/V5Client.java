package io.outpost.broker;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A Paho MQTT 5 client that records what it receives and how it was disconnected. */
public final class V5Client implements AutoCloseable {

  public static final long TIMEOUT_MILLIS = 10_000;

  public record Received(String topic, MqttMessage message) {
    String text() {
      return new String(message.getPayload(), StandardCharsets.UTF_8);
    }
  }

  public final MqttAsyncClient client;
  public final List<Received> received = new CopyOnWriteArrayList<>();
  public final AtomicReference<MqttDisconnectResponse> disconnected = new AtomicReference<>();
  public IMqttToken connectToken;

  public V5Client(String url, String clientId) throws MqttException {
    client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
    client.setCallback(
        new MqttCallback() {
          @Override
          public void disconnected(MqttDisconnectResponse response) {
            disconnected.set(response);
          }

          @Override
          public void mqttErrorOccurred(MqttException exception) {}

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            received.add(new Received(topic, message));
          }

          @Override
          public void deliveryComplete(IMqttToken token) {}

          @Override
          public void connectComplete(boolean reconnect, String serverURI) {}

          @Override
          public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
  }

  public static MqttConnectionOptions options(boolean cleanStart, Long sessionExpiry) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(cleanStart);
    o.setSessionExpiryInterval(sessionExpiry);
    o.setAutomaticReconnect(false);
    return o;
  }

  public V5Client connect(MqttConnectionOptions options) throws MqttException {
    connectToken = client.connect(options);
    connectToken.waitForCompletion(TIMEOUT_MILLIS);
    return this;
  }

  public V5Client connect() throws MqttException {
    return connect(options(true, null));
  }

  public IMqttToken publish(String topic, MqttMessage message) throws MqttException {
    IMqttToken t = client.publish(topic, message);
    t.waitForCompletion(TIMEOUT_MILLIS);
    return t;
  }

  public void publish(String topic, String payload, int qos, boolean retain) throws MqttException {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8), qos, retain, null);
    publish(topic, m);
  }

  @Override
  public void close() throws MqttException {
    if (client.isConnected()) {
      client.disconnectForcibly(0, 1000, false);
    }
    client.close(true);
  }
}
