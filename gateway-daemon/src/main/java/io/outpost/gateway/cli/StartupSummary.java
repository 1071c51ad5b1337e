package io.outpost.gateway.cli;

import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.config.RouteConfig;
import java.util.stream.Collectors;

/**
 * The one-line summary of a configuration that {@code run} logs at start and {@code validate}
 * prints.
 */
final class StartupSummary {

  private StartupSummary() {}

  static String of(OutpostConfig c) {
    String listeners =
        c.broker().listeners().stream()
            .map(l -> l.host() + ":" + l.port())
            .collect(Collectors.joining(", "));
    String cloud =
        c.cloudLink().map(cl -> cl.url() + " as " + cl.clientId()).orElse("none (spooling only)");
    String routes =
        c.routes().stream().map(StartupSummary::route).collect(Collectors.joining(", "));
    return "listeners ["
        + listeners
        + "], data "
        + c.dataDir().toAbsolutePath().normalize()
        + ", cloud "
        + cloud
        + ", routes ["
        + routes
        + "]"
        + (c.admin().enabled() ? ", admin " + c.admin().listen() : ", admin off");
  }

  private static String route(RouteConfig r) {
    return r.name() + ": " + r.from().yaml() + " '" + r.filter() + "' -> " + r.to().yaml();
  }
}
