package io.outpost.cloud;

import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.spool.Spool;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * What a cloud-link test opened, closed in reverse order by its {@code @AfterEach}; plus a
 * cloud-side observer.
 */
final class TestResources implements AutoCloseable {
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();

  /** Registers {@code resource} to be closed, before everything registered earlier. */
  <T extends AutoCloseable> T add(T resource) {
    opened.push(resource);
    return resource;
  }

  /** A cloud link on {@code spool} without downlink filters (not started), closed with the rest. */
  CloudLink link(CloudOptions options, Spool spool, MeterRegistry registry) {
    return add(
        new CloudLink(
            options,
            spool,
            List.of(),
            DownlinkHandler.immediate(m -> {}),
            registry,
            Clock.systemUTC()));
  }

  /**
   * A Paho MQTT 5 client (clean start) on {@code url} subscribed to {@code filter} at QoS 1: what
   * arrives, mapped, in arrival order. Disconnected and closed with the rest.
   */
  <T> List<T> observe(String url, String filter, Function<MqttMessage, T> map) throws Exception {
    List<T> seen = new CopyOnWriteArrayList<>();
    MqttClient observer = new MqttClient(url, "observer", new MemoryPersistence());
    add(
        () -> {
          if (observer.isConnected()) {
            observer.disconnect();
          }
          observer.close();
        });
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    observer.connect(options);
    observer.subscribe(
        new MqttSubscription[] {new MqttSubscription(filter, 1)},
        new IMqttMessageListener[] {(topic, message) -> seen.add(map.apply(message))});
    return seen;
  }

  @Override
  public void close() throws Exception {
    Exception failure = null;
    while (!opened.isEmpty()) {
      try {
        opened.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
