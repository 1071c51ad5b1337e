package io.outpost.gateway.fleet;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.RouteConfig;
import io.outpost.gateway.fleet.DeploymentDocument.FunctionSpec;
import io.outpost.gateway.fleet.DeploymentDocument.Limits;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a deployment document (schema {@value DeploymentDocument#SCHEMA_VERSION}).
 * Strict: an unknown field, a missing required one, a wrong type or a bad value is a {@link
 * DeploymentException} naming the field's path; messages never carry parser or Java type names.
 */
public final class DeploymentParser {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Set<String> TOP = Set.of("schemaVersion", "name", "functions", "config");
  private static final Set<String> FUNCTION =
      Set.of("name", "version", "runtime", "artifact", "limits");
  private static final Set<String> ARTIFACT = Set.of("url", "sha256", "size", "signature");
  private static final Set<String> LIMITS = Set.of("timeoutMillis", "maxConcurrency", "maxQueued");
  private static final Set<String> CONFIG = Set.of("routes");

  private final ObjectMapper mapper =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

  /** Parses {@code json}; throws naming the first offending field. */
  public DeploymentDocument parse(byte[] json) throws DeploymentException {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (JacksonException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new DeploymentException("", "not valid JSON" + where);
    } catch (java.io.IOException e) {
      throw new DeploymentException("", "cannot be read");
    }
    return parse(root);
  }

  /** Validates an already parsed document (the {@code jobDocument} of a job execution). */
  public DeploymentDocument parse(JsonNode root) throws DeploymentException {
    object(root, "", TOP);
    JsonNode version = root.get("schemaVersion");
    if (version == null) {
      throw new DeploymentException(
          "schemaVersion",
          "required (this gateway understands " + DeploymentDocument.SCHEMA_VERSION + ")");
    }
    if (!version.isInt() || version.intValue() != DeploymentDocument.SCHEMA_VERSION) {
      throw new DeploymentException(
          "schemaVersion",
          "unsupported version "
              + version
              + "; this gateway understands "
              + DeploymentDocument.SCHEMA_VERSION);
    }
    String name = optionalText(root, "name", "");
    JsonNode fns = root.get("functions");
    List<FunctionSpec> functions = new ArrayList<>();
    if (fns != null) {
      if (!fns.isArray()) {
        throw new DeploymentException("functions", "must be a list");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < fns.size(); i++) {
        FunctionSpec f = function(fns.get(i), "functions[" + i + "]");
        if (!seen.add(f.name())) {
          throw new DeploymentException(
              "functions[" + i + "].name", "function '" + f.name() + "' listed twice");
        }
        functions.add(f);
      }
    }
    List<RouteConfig> routes = null;
    JsonNode routesJson = null;
    JsonNode config = root.get("config");
    if (config != null) {
      object(config, "config", CONFIG);
      routesJson = config.get("routes");
      if (routesJson != null) {
        routes = routes(routesJson);
      }
    }
    if (functions.isEmpty() && routes == null) {
      throw new DeploymentException(
          "functions", "a deployment needs at least one function or a config section");
    }
    return new DeploymentDocument(
        DeploymentDocument.SCHEMA_VERSION, name, functions, routes, routesJson);
  }

  private FunctionSpec function(JsonNode node, String path) throws DeploymentException {
    object(node, path, FUNCTION);
    String name = requiredText(node, "name", path);
    if (!NAME.matcher(name).matches()) {
      throw new DeploymentException(
          path + ".name", "1..64 of letters, digits, '.', '_' or '-', not '" + name + "'");
    }
    String version = requiredText(node, "version", path);
    String runtime = optionalText(node, "runtime", path);
    runtime = runtime == null ? "java" : runtime;
    if (!runtime.equals("java") && !runtime.equals("process")) {
      throw new DeploymentException(
          path + ".runtime", "must be 'java' or 'process', not '" + runtime + "'");
    }
    JsonNode artifact = node.get("artifact");
    if (artifact == null) {
      throw new DeploymentException(path + ".artifact", "required");
    }
    String at = path + ".artifact";
    object(artifact, at, ARTIFACT);
    String url = requiredText(artifact, "url", at);
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme();
      if (!Set.of("https", "http", "file").contains(scheme)) {
        throw new DeploymentException(at + ".url", "must be an https://, http:// or file:// URL");
      }
    } catch (URISyntaxException e) {
      throw new DeploymentException(at + ".url", "not a valid URL");
    }
    String sha256 = requiredText(artifact, "sha256", at);
    if (!SHA256.matcher(sha256).matches()) {
      throw new DeploymentException(at + ".sha256", "must be 64 hex digits");
    }
    long size = -1;
    JsonNode sizeNode = artifact.get("size");
    if (sizeNode != null) {
      if (!sizeNode.canConvertToLong()
          || !sizeNode.isIntegralNumber()
          || sizeNode.longValue() < 0) {
        throw new DeploymentException(at + ".size", "must be a whole number of bytes");
      }
      size = sizeNode.longValue();
    }
    String signature = optionalText(artifact, "signature", at);
    if (signature != null) {
      try {
        Base64.getDecoder().decode(signature);
      } catch (IllegalArgumentException e) {
        throw new DeploymentException(at + ".signature", "must be base64");
      }
    }
    Limits limits = null;
    JsonNode l = node.get("limits");
    if (l != null) {
      String lp = path + ".limits";
      object(l, lp, LIMITS);
      Long timeout = positive(l, "timeoutMillis", lp);
      Long concurrency = positive(l, "maxConcurrency", lp);
      Long queued = positive(l, "maxQueued", lp);
      limits =
          new Limits(
              timeout,
              concurrency == null ? null : Math.toIntExact(Math.min(concurrency, 10_000)),
              queued == null ? null : Math.toIntExact(Math.min(queued, 1_000_000)));
    }
    return new FunctionSpec(
        name,
        version,
        runtime,
        url,
        sha256.toLowerCase(java.util.Locale.ROOT),
        size,
        signature,
        limits);
  }

  /** Validates routes exactly as the configuration file's {@code routes:} section is validated. */
  private static List<RouteConfig> routes(JsonNode routes) throws DeploymentException {
    if (!routes.isArray()) {
      throw new DeploymentException("config.routes", "must be a list");
    }
    ObjectNode wrapper = JsonMapper.builder().build().createObjectNode();
    wrapper.set("routes", routes);
    try {
      // JSON is YAML: the configuration loader gives the same checks and messages as for the file
      return new ConfigLoader().parse(wrapper.toString(), "deployment").routes();
    } catch (ConfigException e) {
      throw new DeploymentException("config." + e.keyPath(), e.reason());
    }
  }

  private static void object(JsonNode node, String path, Set<String> known)
      throws DeploymentException {
    if (node == null || !node.isObject()) {
      throw new DeploymentException(path, "must be an object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!known.contains(field)) {
        throw new DeploymentException(
            path.isEmpty() ? field : path + "." + field,
            "unknown field; known fields: " + known.stream().sorted().toList());
      }
    }
  }

  private static String requiredText(JsonNode node, String field, String path)
      throws DeploymentException {
    String value = optionalText(node, field, path);
    if (value == null || value.isBlank()) {
      throw new DeploymentException(path.isEmpty() ? field : path + "." + field, "required");
    }
    return value;
  }

  private static String optionalText(JsonNode node, String field, String path)
      throws DeploymentException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new DeploymentException(
          path.isEmpty() ? field : path + "." + field, "must be a string");
    }
    return value.textValue();
  }

  private static Long positive(JsonNode node, String field, String path)
      throws DeploymentException {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() <= 0) {
      throw new DeploymentException(path + "." + field, "must be a positive whole number");
    }
    return value.longValue();
  }
}
