package io.outpost.function.runtime.invoke;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Handler threads of in-process Java functions that ignored a timeout's interrupt and outlived
 * their version (removed or redeployed). Java cannot stop them; they stay listed here, in status
 * and in {@code outpost_function_stranded_threads{function}} until they end, so an operator sees
 * why the daemon is busy and that only a restart frees them.
 */
public final class StrandedThreads {

  /**
   * Threads of one retired version that are still running.
   *
   * @param function function name
   * @param version the retired version
   * @param threads how many of its handler threads still run
   */
  public record Entry(String function, String version, int threads) {}

  private record Owner(String function, String version) {}

  private final MeterRegistry registry;
  private final Map<Owner, List<Thread>> stranded = new ConcurrentHashMap<>();
  private final Set<String> gauged = ConcurrentHashMap.newKeySet();

  public StrandedThreads(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Takes over the still-running threads of a version that was just closed. */
  public void adopt(String function, String version, List<Thread> threads) {
    List<Thread> alive = threads.stream().filter(Thread::isAlive).toList();
    if (alive.isEmpty()) {
      return;
    }
    stranded
        .computeIfAbsent(
            new Owner(function, version), o -> Collections.synchronizedList(new ArrayList<>()))
        .addAll(alive);
    if (gauged.add(function)) {
      Gauge.builder("outpost.function.stranded.threads", this, s -> s.count(function))
          .tag("function", function)
          .description(
              "Handler threads of removed or replaced versions still running; a restart frees them")
          .register(registry);
    }
  }

  /** The versions with threads still running, pruning those whose threads ended. */
  public List<Entry> list() {
    List<Entry> out = new ArrayList<>();
    for (Map.Entry<Owner, List<Thread>> e : stranded.entrySet()) {
      List<Thread> threads = e.getValue();
      threads.removeIf(t -> !t.isAlive());
      if (threads.isEmpty()) {
        stranded.remove(e.getKey(), threads);
      } else {
        out.add(new Entry(e.getKey().function(), e.getKey().version(), threads.size()));
      }
    }
    return out;
  }

  private double count(String function) {
    return list().stream()
        .filter(e -> e.function().equals(function))
        .mapToInt(Entry::threads)
        .sum();
  }
}
