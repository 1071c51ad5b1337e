package io.outpost.topic.bench;

import io.outpost.topic.SubscriptionTree;
import io.outpost.topic.TopicFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Topic matching throughput of the broker's {@link SubscriptionTree} against a linear scan of
 * {@link TopicFilter}s, for a gateway-shaped subscription set: per-device exact filters, per-site
 * {@code #} filters and fleet-wide {@code +} filters. A benchmark, not a test: run it with {@link
 * #main}, never from {@code mvn verify}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TopicMatchBenchmark {

  @Param({"1000", "100000"})
  int subscriptions;

  private final SubscriptionTree<Integer, String> tree = new SubscriptionTree<>();
  private final List<TopicFilter> filters = new ArrayList<>();
  private String[] topics;
  private int next;

  @Setup
  public void setUp() {
    Random random = new Random(7);
    int sites = Math.max(1, subscriptions / 100);
    for (int i = 0; i < subscriptions; i++) {
      int site = random.nextInt(sites);
      String filter =
          switch (i % 10) {
            case 0 -> "site/" + site + "/#";
            case 1 -> "+/" + site + "/device/+/telemetry";
            default -> "site/" + site + "/device/" + random.nextInt(1000) + "/telemetry";
          };
      tree.put(filter, i, filter);
      if (filters.size() < 10_000) {
        filters.add(TopicFilter.of(filter));
      }
    }
    topics = new String[4096];
    for (int i = 0; i < topics.length; i++) {
      topics[i] =
          "site/" + random.nextInt(sites) + "/device/" + random.nextInt(1000) + "/telemetry";
    }
  }

  @Benchmark
  public void subscriptionTree(Blackhole bh) {
    tree.match(topics[next++ & 4095], (k, v) -> bh.consume(v));
  }

  /** Baseline: test every filter (capped at 10,000 filters so the run stays short). */
  @Benchmark
  public void linearScan(Blackhole bh) {
    String topic = topics[next++ & 4095];
    for (TopicFilter f : filters) {
      if (f.matches(topic)) {
        bh.consume(f);
      }
    }
  }

  public static void main(String[] args) throws RunnerException {
    new Runner(new OptionsBuilder().include(TopicMatchBenchmark.class.getSimpleName()).build())
        .run();
  }
}
