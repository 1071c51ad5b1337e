package io.outpost.sync.bench;

import io.outpost.testkit.StandInCloud;
import java.util.concurrent.Semaphore;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Baseline for the drain benchmark: bare Paho 3.1.1 QoS 1 publishes to the same stand-in broker,
 * window 1000.
 */
public final class RawPahoBaseline {
  private RawPahoBaseline() {}

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int window = 1000;
    try (StandInCloud cloud = StandInCloud.start()) {
      MqttAsyncClient client =
          new MqttAsyncClient(cloud.url(), "baseline", new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setMaxInflight(window);
      client.connect(options).waitForCompletion();
      Semaphore slots = new Semaphore(window);
      byte[] payload = new byte[200];
      IMqttActionListener release =
          new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              slots.release();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
              slots.release();
            }
          };
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        slots.acquire();
        client.publish("devices/bench/telemetry", payload, 1, false, null, release);
      }
      slots.acquire(window);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "raw paho baseline: %,d QoS 1 publishes in %.2f s = %,.0f msg/s%n",
          messages, seconds, messages / seconds);
      client.disconnect().waitForCompletion();
      client.close();
    }
  }
}
