package io.outpost.sim.report;

import io.outpost.sim.consume.ConsumeSummary;
import io.outpost.sim.fleet.RunSummary;
import io.outpost.sim.measure.DrainSummary;
import io.outpost.sim.measure.LatencySummary;
import io.outpost.sim.measure.SequenceCounts;
import java.util.Locale;

/** Human-readable final summaries. */
public final class SummaryText {

  private SummaryText() {}

  public static String run(RunSummary s) {
    StringBuilder b = new StringBuilder();
    line(
        b,
        "devices",
        "%d configured, %d connected, %d failed to connect",
        s.devices(),
        s.connectedDevices(),
        s.connectFailures());
    line(
        b,
        "load",
        "QoS %d, MQTT %s, %s, rate %s",
        s.qos(),
        s.mqttVersion(),
        s.payload(),
        s.ratePerDevice() > 0 ? fmt(s.ratePerDevice()) + "/s per device" : "unlimited");
    line(
        b,
        "messages",
        "sent %d, acked %d, failed %d, rejected %d, unacked at end %d",
        s.sent(),
        s.acked(),
        s.failed(),
        s.rejected(),
        s.unackedAtEnd());
    line(
        b,
        "throughput",
        "%.1f msg/s over %.2f s (window full %d times)",
        s.throughputPerSecond(),
        s.elapsedSeconds(),
        s.windowFullEvents());
    latency(b, "ack latency", s.ackLatency());
    return b.toString();
  }

  public static String consume(ConsumeSummary s) {
    StringBuilder b = new StringBuilder();
    SequenceCounts q = s.sequence();
    line(b, "subscribers", "%d on %s", s.subscribers(), s.topicFilter());
    line(
        b,
        "received",
        "%d from %d device streams (%d undecodable, %d untracked)",
        s.received(),
        q.devices(),
        s.undecodable(),
        q.untracked());
    line(
        b,
        "delivery",
        "lost %d, duplicates %d, out of order %d",
        q.lost(),
        q.duplicates(),
        q.outOfOrder());
    line(b, "throughput", "%.1f msg/s over %.2f s", s.throughputPerSecond(), s.elapsedSeconds());
    latency(b, "e2e latency", s.endToEndLatency());
    DrainSummary d = s.drain();
    if (d.backlogMessages() > 0) {
      line(
          b,
          "backlog",
          "%d messages older than %.0f ms, drained in %.2f s at %.1f msg/s "
              + "(finished at %.2f s, oldest %.0f ms)",
          d.backlogMessages(),
          d.staleThresholdMs(),
          d.drainSeconds(),
          d.drainRatePerSecond(),
          d.lastBacklogAtSeconds(),
          d.maxBacklogLatencyMs());
    }
    line(
        b,
        "longest gap",
        "%.2f s without messages (from %.2f s)",
        d.longestSilenceSeconds(),
        d.longestSilenceStartSeconds());
    return b.toString();
  }

  private static void latency(StringBuilder b, String name, LatencySummary l) {
    line(
        b,
        name,
        "p50 %s ms, p95 %s ms, p99 %s ms, max %s ms (n=%d)",
        fmt(l.p50Ms()),
        fmt(l.p95Ms()),
        fmt(l.p99Ms()),
        fmt(l.maxMs()),
        l.count());
  }

  private static String fmt(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
  }

  private static void line(StringBuilder b, String name, String format, Object... args) {
    b.append(String.format(Locale.ROOT, "%-12s ", name + ":"))
        .append(String.format(Locale.ROOT, format, args))
        .append('\n');
  }
}
