package io.outpost.gateway.admin.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.testkit.MovableClock;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RatesTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MovableClock clock = MovableClock.fixed();
  private final Rates rates = new Rates(registry, clock);

  @Test
  void ratesArePerSecondBetweenSamplesSummedOverTagsWithTheDrainEta() {
    Counter qos0 = Counter.builder(Rates.RECEIVED).tag("qos", "0").register(registry);
    Counter qos1 = Counter.builder(Rates.RECEIVED).tag("qos", "1").register(registry);
    Counter cloud = Counter.builder(Rates.TO_CLOUD).register(registry);
    assertThat(rates.sample(100).getDouble("inPerSecond"))
        .as("no rate at the first sample")
        .isZero();

    qos0.increment(30);
    qos1.increment(10);
    cloud.increment(20);
    clock.advance(Duration.ofSeconds(2));
    JsonObject r = rates.sample(100);

    assertThat(r.getDouble("inPerSecond")).isEqualTo(20.0);
    assertThat(r.getDouble("drainPerSecond")).isEqualTo(10.0);
    assertThat(r.getLong("drainEtaSeconds")).isEqualTo(10L);
    assertThat(r.getLong("receivedTotal")).isEqualTo(40L);

    clock.advance(Duration.ofSeconds(1));
    JsonObject idle = rates.sample(100);
    assertThat(idle.getDouble("drainPerSecond")).isZero();
    assertThat(idle.getLong("drainEtaSeconds")).as("nothing drains: no ETA").isNull();
    assertThat(rates.sample(0).getLong("drainEtaSeconds")).as("an empty spool").isZero();
  }

  @Test
  void limitHitsAreSummedPerFunctionOverLimits() {
    assertThat(rates.limitHits()).isEqualTo(new JsonObject());
    Counter.builder(Rates.LIMIT_HITS)
        .tag("function", "f")
        .tag("limit", "memory")
        .register(registry)
        .increment(2);
    Counter.builder(Rates.LIMIT_HITS)
        .tag("function", "f")
        .tag("limit", "time")
        .register(registry)
        .increment();
    Counter.builder(Rates.LIMIT_HITS)
        .tag("function", "g")
        .tag("limit", "cpu")
        .register(registry)
        .increment();

    assertThat(rates.limitHits()).isEqualTo(new JsonObject().put("f", 3L).put("g", 1L));
  }
}
