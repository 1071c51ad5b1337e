package io.outpost.gateway;

import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.logging.Logging;
import io.outpost.gateway.route.Downlinks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the configuration file of a running gateway (SIGHUP, {@code outpost reload}) and applies what can change
 * without dropping device connections: routes and log levels. Sections that need a restart to take effect are named
 * in the result and the log instead of being half-applied. An invalid file is rejected as a whole and the running
 * configuration stays in force.
 */
final class Reloader {

  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

  private final Gateway gateway;
  private final Path file;
  private final ConfigLoader loader = new ConfigLoader();

  Reloader(Gateway gateway, Path file) {
    this.gateway = gateway;
    this.file = file;
  }

  synchronized ReloadResult reload() {
    if (file == null) {
      ReloadResult r = ReloadResult.rejected("the daemon runs on its built-in configuration; there is no file to re-read");
      LOG.warn("reload {}", r.summary());
      return r;
    }
    OutpostConfig next;
    try {
      next = loader.load(file);
    } catch (ConfigException e) {
      ReloadResult r = ReloadResult.rejected(e.getMessage());
      LOG.error("reload rejected, the running configuration stays in force: {}", e.getMessage());
      return r;
    }
    OutpostConfig current = gateway.config();
    List<String> applied = new ArrayList<>();
    List<String> restart = new ArrayList<>();

    if (!current.logging().equals(next.logging())) {
      Logging.apply(next.logging());
      applied.add("logging");
    }
    if (!current.routes().equals(next.routes())) {
      boolean sameSubscriptions =
          Downlinks.cloudFilters(current.routes()).equals(Downlinks.cloudFilters(next.routes()));
      if (sameSubscriptions || gateway.cloud() == null) {
        gateway.reroute(next.routes());
        applied.add("routes");
      } else {
        restart.add("routes (the cloud-side filters of cloud → local routes changed)");
      }
    }
    differs("broker", current.broker(), next.broker(), restart);
    differs("storage", current.storage(), next.storage(), restart);
    differs("cloud", current.cloud(), next.cloud(), restart);
    differs("functions", current.functions(), next.functions(), restart);
    differs("admin", current.admin(), next.admin(), restart);
    differs("security", current.security(), next.security(), restart);

    if (restart.isEmpty()) {
      gateway.configReloaded(next);
    } else {
      // Keep reporting the configuration actually in force for the sections that did not change live.
      gateway.configReloaded(new OutpostConfig(current.broker(), current.storage(), current.cloud(),
          applied.contains("routes") ? next.routes() : current.routes(), current.functions(), current.admin(),
          next.logging(), current.security()));
    }
    ReloadResult r = new ReloadResult(true, null, List.copyOf(applied), List.copyOf(restart));
    if (restart.isEmpty()) {
      LOG.info("reload from {}: {}", file, r.summary());
    } else {
      LOG.warn("reload from {}: {}", file, r.summary());
    }
    return r;
  }

  private static void differs(String section, Object current, Object next, List<String> restart) {
    if (!Objects.equals(current, next)) {
      restart.add(section);
    }
  }
}
