package io.outpost.broker.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class BrokerMetricsTest {

  @Test
  void everyDropReasonIsExportedAtZeroBeforeTheFirstDrop() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BrokerMetrics metrics = new BrokerMetrics(registry);

    assertThat(registry.find("outpost.broker.messages.dropped").counters())
        .extracting(c -> c.getId().getTag("reason"))
        .containsExactlyInAnyOrderElementsOf(BrokerMetrics.DROP_REASONS);
    assertThat(registry.find("outpost.broker.messages.dropped").counters())
        .extracting(Counter::count)
        .containsOnly(0.0);

    metrics.dropped(BrokerMetrics.DROP_QUEUE_FULL);
    assertThat(
            registry
                .get("outpost.broker.messages.dropped")
                .tag("reason", "queue-full")
                .counter()
                .count())
        .isEqualTo(1.0);
    metrics.close();
  }
}
