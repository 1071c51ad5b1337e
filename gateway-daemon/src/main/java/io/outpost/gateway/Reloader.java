package io.outpost.gateway;

import io.micrometer.core.instrument.Counter;
import io.outpost.broker.BrokerOptions;
import io.outpost.function.runtime.FunctionReconfiguration;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.gateway.config.AdminConfig;
import io.outpost.gateway.config.ConfigDiff;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.config.ReloadResult;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.gateway.logging.Logging;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the configuration file of a running gateway (SIGHUP, {@code outpost reload}) and applies
 * what can change without dropping device connections: log levels, routes, function settings,
 * broker limits and the admin API's request bounds. Keys that need a restart to take effect are
 * named in the result and the log instead of being half-applied; the configuration reported as
 * running keeps their old values. An invalid file, or function settings that do not fit a deployed
 * function, are rejected as a whole and the running configuration stays in force.
 */
final class Reloader {

  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

  /** {@code admin:} keys a running admin API applies per request. */
  private static final Set<String> LIVE_ADMIN_KEYS =
      Set.of("maxPackageBytes", "maxUnpackedBytes", "maxPackageFiles", "maxInvokeBytes");

  private final Gateway gateway;
  private final Path file;
  private final ConfigLoader loader = new ConfigLoader();

  Reloader(Gateway gateway, Path file) {
    this.gateway = gateway;
    this.file = file;
  }

  /** The last reload: when and with what verdict. */
  record LastReload(Instant at, ReloadResult result) {}

  private volatile LastReload last;

  /** The last reload since start, or null. */
  LastReload last() {
    return last;
  }

  /**
   * Re-reads the file and applies it; counted in {@code
   * outpost.config.reloads{result=applied|rejected}}.
   */
  synchronized ReloadResult reload() {
    ReloadResult r = readAndApply();
    last = new LastReload(gateway.clock().instant(), r);
    Counter.builder("outpost.config.reloads")
        .tag("result", r.accepted() ? "applied" : "rejected")
        .description("Configuration reloads (SIGHUP, outpost reload) by verdict")
        .register(gateway.registry())
        .increment();
    return r;
  }

  private ReloadResult readAndApply() {
    if (file == null) {
      ReloadResult r =
          ReloadResult.rejected(
              "the daemon runs on its built-in configuration; there is no file to re-read");
      LOG.warn("reload {}", r.summary());
      return r;
    }
    OutpostConfig next;
    try {
      next = loader.load(file);
    } catch (ConfigException e) {
      return rejected(e.getMessage());
    }
    OutpostConfig current = gateway.config();
    Changes changes = new Changes();

    // First, as it is the one section that can still be refused against what runs (an override that
    // does not fit
    // a deployed function); nothing else has changed at that point.
    FunctionRuntimeOptions functions;
    try {
      functions = reloadFunctions(current.functions(), next.functions(), changes);
    } catch (IllegalArgumentException e) {
      return rejected(file + ": " + e.getMessage());
    }
    if (!current.logging().equals(next.logging())) {
      Logging.apply(next.logging());
      changes.applied.add("logging");
    }
    List<RouteConfig> routes = reloadRoutes(current, next, changes);
    BrokerOptions broker = reloadBroker(current.broker(), next.broker(), changes);
    AdminConfig admin = reloadAdmin(current.admin(), next.admin(), changes);
    changes.restartFor("storage", current.storage(), next.storage());
    changes.restartFor("cloud", current.cloud(), next.cloud());
    changes.restartFor("security", current.security(), next.security());
    changes.restartFor("fleet", current.fleet(), next.fleet());

    gateway.configReloaded(
        new OutpostConfig(
            broker,
            current.storage(),
            current.cloud(),
            routes,
            functions,
            admin,
            next.logging(),
            current.security(),
            current.fleet()));
    ReloadResult r = new ReloadResult(true, null, changes.applied, changes.restart, changes.failed);
    if (changes.restart.isEmpty() && changes.failed.isEmpty()) {
      LOG.info("reload from {}: {}", file, r.summary());
    } else {
      LOG.warn("reload from {}: {}", file, r.summary());
    }
    return r;
  }

  private static ReloadResult rejected(String reason) {
    LOG.error("reload rejected, the running configuration stays in force: {}", reason);
    return ReloadResult.rejected(reason);
  }

  private FunctionRuntimeOptions reloadFunctions(
      FunctionRuntimeOptions current, FunctionRuntimeOptions next, Changes changes) {
    if (current.equals(next)) {
      return current;
    }
    FunctionReconfiguration r = gateway.functions().reconfigure(next);
    changes.applied.add(
        r.restarted().isEmpty()
            ? "functions"
            : "functions (restarted: " + String.join(", ", r.restarted()) + ")");
    r.failed()
        .forEach(
            f -> changes.failed.add("functions: " + f + " (runs on under its previous settings)"));
    return next;
  }

  private List<RouteConfig> reloadRoutes(
      OutpostConfig current, OutpostConfig next, Changes changes) {
    if (current.routes().equals(next.routes())) {
      return current.routes();
    }
    // new cloud-side filters of cloud → local routes are subscribed to (and dropped ones
    // unsubscribed) live
    gateway.reroute(next.routes());
    changes.applied.add("routes");
    return next.routes();
  }

  private BrokerOptions reloadBroker(BrokerOptions current, BrokerOptions next, Changes changes) {
    if (current.equals(next)) {
      return current;
    }
    List<String> changed = ConfigDiff.changedKeys(current, next);
    List<String> notApplied =
        gateway.broker().applyLimits(next).stream()
            .map(k -> k.startsWith("broker.") ? k.substring("broker.".length()) : k)
            .toList();
    List<String> live = changed.stream().filter(k -> !notApplied.contains(k)).toList();
    if (!live.isEmpty()) {
      changes.applied.add("broker limits (" + String.join(", ", live) + ")");
    }
    changed.stream().filter(notApplied::contains).forEach(k -> changes.restart.add("broker." + k));
    return ConfigDiff.merge(current, next, notApplied);
  }

  private AdminConfig reloadAdmin(AdminConfig current, AdminConfig next, Changes changes) {
    if (current.equals(next)) {
      return current;
    }
    List<String> changed = ConfigDiff.changedKeys(current, next);
    List<String> live = changed.stream().filter(LIVE_ADMIN_KEYS::contains).toList();
    List<String> restart = changed.stream().filter(k -> !LIVE_ADMIN_KEYS.contains(k)).toList();
    if (!live.isEmpty()) {
      changes.applied.add("admin limits (" + String.join(", ", live) + ")");
    }
    restart.forEach(k -> changes.restart.add("admin." + k));
    return ConfigDiff.merge(current, next, restart);
  }

  /** What one reload did, collected section by section. */
  private static final class Changes {
    final List<String> applied = new ArrayList<>();
    final List<String> restart = new ArrayList<>();
    final List<String> failed = new ArrayList<>();

    /** Names every changed key of a section that only a restart applies. */
    void restartFor(String section, Object current, Object next) {
      if (Objects.equals(current, next)) {
        return;
      }
      if (current instanceof Record c && next instanceof Record n && c.getClass() == n.getClass()) {
        ConfigDiff.changedKeys(c, n).forEach(k -> restart.add(section + "." + k));
      } else {
        restart.add(section);
      }
    }
  }
}
