package io.outpost.gateway.admin.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/**
 * Per-second rates from the daemon's own counters (what {@code /metrics} exports), taken between
 * two snapshots: messages from devices, to devices, and to the cloud (the spool's drain rate), and
 * the time the spool needs to drain at that rate. Called from one thread at a time.
 */
final class Rates {

  static final String RECEIVED = "outpost.broker.messages.received";
  static final String DELIVERED = "outpost.broker.messages.delivered";
  static final String TO_CLOUD = "outpost.cloud.delivered";

  /**
   * Counted by the function sandbox, one counter per function and limit, registered at the first
   * hit.
   */
  static final String LIMIT_HITS = "outpost.function.limit.hits";

  private final MeterRegistry registry;
  private final Clock clock;
  private long lastMillis = -1;
  private double lastIn;
  private double lastOut;
  private double lastCloud;

  Rates(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * The rates since the previous call (zero at the first), with {@code etaSeconds} for {@code
   * spoolDepth} messages (null when nothing drains).
   */
  JsonObject sample(long spoolDepth) {
    long now = clock.millis();
    double in = sum(RECEIVED);
    double out = sum(DELIVERED);
    double cloud = sum(TO_CLOUD);
    double seconds = lastMillis < 0 ? 0 : (now - lastMillis) / 1000.0;
    double inRate = rate(in, lastIn, seconds);
    double outRate = rate(out, lastOut, seconds);
    double drain = rate(cloud, lastCloud, seconds);
    lastMillis = now;
    lastIn = in;
    lastOut = out;
    lastCloud = cloud;
    Long eta =
        spoolDepth == 0
            ? Long.valueOf(0)
            : drain > 0 ? Long.valueOf(Math.round(spoolDepth / drain)) : null;
    return new JsonObject()
        .put("inPerSecond", inRate)
        .put("outPerSecond", outRate)
        .put("drainPerSecond", drain)
        .put("drainEtaSeconds", eta)
        .put("receivedTotal", (long) in)
        .put("deliveredTotal", (long) out)
        .put("toCloudTotal", (long) cloud);
  }

  /**
   * Limit hits per function since start, from {@value #LIMIT_HITS} (empty until a function hits a
   * limit).
   */
  JsonObject limitHits() {
    JsonObject hits = new JsonObject();
    for (Counter c : registry.find(LIMIT_HITS).counters()) {
      String function = c.getId().getTag("function");
      if (function != null) {
        hits.put(function, hits.getLong(function, 0L) + (long) c.count());
      }
    }
    return hits;
  }

  private double sum(String name) {
    double total = 0;
    for (Counter c : registry.find(name).counters()) {
      total += c.count();
    }
    return total;
  }

  private static double rate(double now, double before, double seconds) {
    return seconds <= 0 ? 0 : Math.max(0, Math.round((now - before) / seconds * 10) / 10.0);
  }
}
