package io.outpost.sim.support;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/** Asserts that the simulator's and Paho's threads are gone after a test closed everything. */
public final class Threads {

  private Threads() {}

  public static List<String> simulatorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("MQTT") || n.startsWith("device-sim") || n.startsWith("proxy-"))
        .sorted()
        .toList();
  }

  public static void awaitNoneLeft() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> org.assertj.core.api.Assertions.assertThat(simulatorThreads()).isEmpty());
  }
}
