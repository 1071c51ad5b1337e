package io.outpost.sim.client;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * Stops the automatic-reconnect cycle of a Paho 1.2.5 {@code MqttAsyncClient} (v3 or v5). Once a
 * connection was lost, Paho retries from a {@link java.util.Timer} thread, {@code MQTT Reconnect:
 * <id>}, that neither {@code disconnectForcibly} nor {@code close} cancels
 * (eclipse-paho/paho.mqtt.java#654): a closed client would keep that non-daemon thread, retrying
 * forever. Only Paho's private {@code stopReconnectCycle} cancels it.
 */
final class PahoReconnectCycle {

  private PahoReconnectCycle() {}

  /**
   * Cancels {@code client}'s reconnect timer if one runs; a no-op for a Paho without that method.
   */
  static void stop(Object client) {
    try {
      Method stop = client.getClass().getDeclaredMethod("stopReconnectCycle");
      stop.setAccessible(true);
      stop.invoke(client);
    } catch (NoSuchMethodException e) {
      // another Paho version: nothing to cancel this way
    } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
      throw new IllegalStateException("cannot stop the reconnect cycle of " + client, e);
    }
  }
}
