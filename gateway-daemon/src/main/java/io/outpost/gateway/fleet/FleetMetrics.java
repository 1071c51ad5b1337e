package io.outpost.gateway.fleet;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/** The {@code outpost.fleet.*} meters. */
final class FleetMetrics {

  private final MeterRegistry registry;
  final Counter downloadedBytes;

  FleetMetrics(MeterRegistry registry, Supplier<Number> diskBytes) {
    this.registry = registry;
    this.downloadedBytes =
        Counter.builder("outpost.fleet.artifacts.downloaded")
            .baseUnit("bytes")
            .description("Artifact bytes downloaded for fleet deployments")
            .register(registry);
    Gauge.builder("outpost.fleet.artifacts.disk", diskBytes)
        .baseUnit("bytes")
        .description("Disk used by downloaded artifacts (bound: fleet.maxDiskBytes)")
        .register(registry);
  }

  /**
   * An artifact refused: {@code too-large}, {@code disk-full}, {@code sha256}, {@code unsigned},
   * {@code signature}.
   */
  void refused(String reason) {
    Counter.builder("outpost.fleet.artifacts.refused")
        .tag("reason", reason)
        .description("Artifacts refused by reason")
        .register(registry)
        .increment();
  }

  /** A job ended: {@code succeeded}, {@code failed}, {@code rejected}, {@code canceled}. */
  void job(String result) {
    Counter.builder("outpost.fleet.jobs")
        .tag("result", result)
        .description("Fleet jobs by result")
        .register(registry)
        .increment();
  }

  void reports() {
    Counter.builder("outpost.fleet.shadow.reports")
        .description("Shadow reports published")
        .register(registry)
        .increment();
  }
}
