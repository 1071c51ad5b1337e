package io.outpost.spool;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/** The spool's Micrometer meters ({@code outpost.spool.*}); removed from the registry on close. */
final class SpoolMetrics {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
  private final Map<CommitStart, Counter> commitStarts = new EnumMap<>(CommitStart.class);
  final Counter appended;
  final Counter queueFull;
  final Counter diskFull;
  final Counter writeErrors;
  final Counter corruptQuarantined;
  final Timer commit;
  final DistributionSummary commitBatch;
  final DistributionSummary commitMessages;
  final Counter appendedBytes;

  /**
   * Read through this object, which the spool holds: Micrometer keeps only a weak reference to a
   * function counter's object, and a bare supplier was collected at the first GC (the counter then
   * stayed 0).
   */
  private final LongSupplier written;

  SpoolMetrics(
      MeterRegistry registry,
      SpoolLedger ledger,
      Supplier<Number> queued,
      Supplier<Number> deadLetters,
      LongSupplier written,
      Clock clock) {
    this.registry = registry;
    this.written = written;
    for (DropReason reason : DropReason.values()) {
      dropped.put(
          reason,
          add(
              Counter.builder("outpost.spool.dropped")
                  .tag("reason", reason.tag())
                  .description("Messages that left the spool without reaching the cloud")
                  .register(registry)));
    }
    for (CommitStart start : CommitStart.values()) {
      commitStarts.put(
          start,
          add(
              Counter.builder("outpost.spool.commit.started")
                  .tag("after", start.tag())
                  .description(
                      "Group commits by what started them: at once, the wear budget's interval,"
                          + " a pause in the stream, a full batch, or another reason")
                  .register(registry)));
    }
    appended =
        add(
            Counter.builder("outpost.spool.appended")
                .description("Messages made durable")
                .register(registry));
    queueFull =
        add(
            Counter.builder("outpost.spool.rejected")
                .tag("reason", "queue-full")
                .description("Appends refused because the writer queue was full")
                .register(registry));
    diskFull =
        add(
            Counter.builder("outpost.spool.write.errors")
                .tag("reason", "disk-full")
                .description("Commits that failed because the disk or maxFileBytes was full")
                .register(registry));
    writeErrors =
        add(
            Counter.builder("outpost.spool.write.errors")
                .tag("reason", "io")
                .description("Commits that failed for another reason")
                .register(registry));
    corruptQuarantined =
        add(
            Counter.builder("outpost.spool.corrupt.quarantined")
                .description("Corrupt database files moved aside at start")
                .register(registry));
    commit =
        add(
            Timer.builder("outpost.spool.commit")
                .description("Group-commit duration including fsync")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry));
    commitBatch =
        add(
            DistributionSummary.builder("outpost.spool.commit.batch")
                .description("Operations per group commit")
                .register(registry));
    commitMessages =
        add(
            DistributionSummary.builder("outpost.spool.commit.messages")
                .description("Messages appended per group commit: what the wear budget gathers")
                .register(registry));
    appendedBytes =
        add(
            Counter.builder("outpost.spool.appended.payload")
                .baseUnit("bytes")
                .description("Payload bytes made durable")
                .register(registry));
    add(
        FunctionCounter.builder("outpost.spool.written", this, m -> m.written.getAsLong())
            .baseUnit("bytes")
            .description(
                "Bytes the spool writer wrote to disk (WAL and checkpoints; stays 0 where"
                    + " the OS does not account them per thread)")
            .register(registry));
    add(Gauge.builder("outpost.spool.depth", ledger, SpoolLedger::depth).register(registry));
    add(
        Gauge.builder("outpost.spool.bytes", ledger, SpoolLedger::bytes)
            .baseUnit("bytes")
            .register(registry));
    add(Gauge.builder("outpost.spool.leased", ledger, SpoolLedger::leasedCount).register(registry));
    add(
        Gauge.builder("outpost.spool.queue", queued)
            .description("Appends waiting for the writer")
            .register(registry));
    add(Gauge.builder("outpost.spool.dead.letters", deadLetters).register(registry));
    add(
        Gauge.builder(
                "outpost.spool.oldest.age",
                ledger,
                l ->
                    l.oldestReceivedAt() < 0
                        ? 0
                        : Math.max(0, clock.millis() - l.oldestReceivedAt()) / 1000.0)
            .baseUnit("seconds")
            .register(registry));
  }

  private <M extends Meter> M add(M meter) {
    meters.add(meter);
    return meter;
  }

  void dropped(DropReason reason, long count) {
    if (count > 0) {
      dropped.get(reason).increment(count);
    }
  }

  void commitStarted(CommitStart start) {
    commitStarts.get(start).increment();
  }

  Map<DropReason, Long> droppedSnapshot() {
    Map<DropReason, Long> snapshot = new EnumMap<>(DropReason.class);
    dropped.forEach((reason, counter) -> snapshot.put(reason, (long) counter.count()));
    return snapshot;
  }

  void close() {
    meters.forEach(registry::remove);
  }
}
