package io.outpost.gateway.config;

import io.outpost.broker.BrokerOptions;
import io.outpost.broker.security.SecurityOptions;
import io.outpost.cloud.CloudOptions;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.spool.SpoolOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The whole daemon configuration, one record per YAML section. Each section is owned by the
 * component that uses it, so its keys, defaults and validation live next to the code they
 * configure.
 *
 * @param broker the local MQTT broker: listeners and limits
 * @param storage where SQLite files live ({@code dir}) and the spool's capacity and durability
 *     settings
 * @param cloud the cloud link; absent means offline-only: everything routed to the cloud is spooled
 * @param routes what crosses between the local broker and the cloud, in order
 * @param functions defaults and limits for local functions
 * @param admin the operator HTTP API
 * @param logging log level and format
 * @param security device authentication (password file, anonymous access) and the authorization
 *     policy
 * @param fleet fleet deployments over AWS IoT Jobs and the reported shadow (needs {@code cloud})
 */
public record OutpostConfig(
    BrokerOptions broker,
    SpoolOptions storage,
    CloudOptions cloud,
    List<RouteConfig> routes,
    FunctionRuntimeOptions functions,
    AdminConfig admin,
    LoggingConfig logging,
    SecurityOptions security,
    FleetOptions fleet) {

  public OutpostConfig {
    broker = broker == null ? BrokerOptions.defaults() : broker;
    storage = storage == null ? SpoolOptions.defaults() : storage;
    functions = functions == null ? FunctionRuntimeOptions.defaults() : functions;
    admin = admin == null ? AdminConfig.defaults() : admin;
    logging = logging == null ? LoggingConfig.defaults() : logging;
    security = security == null ? SecurityOptions.defaults() : security;
    fleet = fleet == null ? FleetOptions.defaults() : fleet;
    routes = named(routes == null ? List.of() : routes);
  }

  /**
   * Gives every unnamed route the name {@code route-<index>} so metrics and spool rows can refer to
   * it.
   */
  private static List<RouteConfig> named(List<RouteConfig> routes) {
    List<RouteConfig> named = new ArrayList<>(routes.size());
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = routes.get(i);
      named.add(r.name() == null ? r.withName("route-" + i) : r);
    }
    return List.copyOf(named);
  }

  /** The cloud link settings, if a cloud is configured. */
  public Optional<CloudOptions> cloudLink() {
    return Optional.ofNullable(cloud);
  }

  /**
   * The data directory, as configured. Loaded from a file, a relative {@code storage.dir} was
   * already resolved against the file's directory; the built-in configuration's {@code
   * ./outpost-data} is relative to the working directory.
   */
  public Path dataDir() {
    return Path.of(storage.dir());
  }
}
