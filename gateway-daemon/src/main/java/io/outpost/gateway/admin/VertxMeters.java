package io.outpost.gateway.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Which of Vert.x's own meters {@code /metrics} exports.
 *
 * <p>vertx-micrometer-metrics 5.0 registers its "active" gauges ({@code
 * vertx.net.server.active.connections}, {@code vertx.http.server.active.connections}, {@code
 * ...active.requests}, {@code ...active.ws.connections}, the client-side equivalents and {@code
 * vertx.eventbus.pending}) again for every connection, request or message (upstream issue
 * vert-x3/vertx-micrometer-metrics#259). Micrometer 1.13.9+ logs each repeated gauge registration
 * as a WARN ("This Gauge has been already registered"), so the daemon logged one at the second
 * connection after every start. A Micrometer filter cannot make a repeated registration silent,
 * only refuse the meter: these gauges are refused, and the daemon's own meters give the same facts
 * ({@code outpost.broker.connections} for device connections). Vert.x's counters, timers and pool
 * meters are kept.
 */
public final class VertxMeters {

  private VertxMeters() {}

  /** The filter to install on the registry before Vert.x is created. */
  public static MeterFilter filter() {
    return MeterFilter.deny(VertxMeters::reRegisteredPerEvent);
  }

  static boolean reRegisteredPerEvent(Meter.Id id) {
    String name = id.getName();
    return name.startsWith("vertx.")
        && (name.contains(".active.") || name.equals("vertx.eventbus.pending"));
  }
}
