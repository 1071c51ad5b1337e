package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A fleet deployment: the desired set of functions and the hot-reloadable configuration sections
 * for a gateway. It is the job document of an AWS IoT job (or what {@code outpost fleet deploy}
 * publishes), in the schema {@value #SCHEMA_VERSION} documented in {@code docs/fleet.md}; {@link
 * DeploymentParser} reads and validates it.
 *
 * <p>Functions listed are brought to the given version; functions not listed are left as they are.
 * A {@code config} section, when present, replaces that section of the running configuration as a
 * reload would.
 *
 * @param schemaVersion always {@value #SCHEMA_VERSION}
 * @param name optional operator label shown in reports
 * @param functions functions to deploy, in order
 * @param routes the {@code routes:} section to run, or null to keep the running one
 * @param routesJson the same section as it appeared in the document (kept for the persisted
 *     overlay)
 */
public record DeploymentDocument(
    int schemaVersion,
    String name,
    List<FunctionSpec> functions,
    List<io.outpost.gateway.config.RouteConfig> routes,
    JsonNode routesJson) {

  /** The only schema version this gateway understands. */
  public static final int SCHEMA_VERSION = 1;

  public DeploymentDocument {
    functions = List.copyOf(functions);
    routes = routes == null ? null : List.copyOf(routes);
  }

  /**
   * One function to deploy.
   *
   * @param name the function's name (as in its descriptor)
   * @param version the version its package declares
   * @param runtime {@code java} or {@code process}
   * @param url where to download the package: {@code https://} (presigned S3 URLs work), {@code
   *     http://} or {@code file://}
   * @param sha256 hex SHA-256 of the package
   * @param size the package's size in bytes, or -1 when not given
   * @param signature base64 signature of the package by a trust anchor's private key, or null
   * @param limits operator limits for it, or null for the package's own
   */
  public record FunctionSpec(
      String name,
      String version,
      String runtime,
      String url,
      String sha256,
      long size,
      String signature,
      Limits limits) {}

  /**
   * Per-function limits, applied as {@code functions.overrides.<name>} would be.
   *
   * @param timeoutMillis per-invocation timeout, or null
   * @param maxConcurrency invocations at once, or null
   * @param maxQueued invocations waiting at most, or null
   */
  public record Limits(Long timeoutMillis, Integer maxConcurrency, Integer maxQueued) {}
}
