package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.function.runtime.FunctionOverrides;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.fleet.DeploymentDocument.FunctionSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configuration sections a fleet deployment set, {@code <data>/fleet/overlay.json}: {@code
 * routes} (replacing the file's) and per-function {@code limits} (applied as {@code
 * functions.overrides}). Laid over the configuration file at start and after every deployment; a
 * later {@code outpost reload} from the file replaces them again, which the shadow report shows as
 * drift.
 */
final class ConfigOverlay {

  static final String FILE = "overlay.json";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private ConfigOverlay() {}

  /** The overlay in {@code fleetDir}, or null when no deployment set one. */
  static JsonNode read(Path fleetDir) throws IOException {
    Path file = fleetDir.resolve(FILE);
    return Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : null;
  }

  /** Replaces the overlay durably ({@code null}: removes it). */
  static void write(Path fleetDir, JsonNode overlay) throws IOException {
    Path file = fleetDir.resolve(FILE);
    if (overlay == null) {
      Files.deleteIfExists(file);
      JobJournal.fsyncDirectory(fleetDir);
    } else {
      JobJournal.writeDurably(file, JSON.writeValueAsBytes(overlay));
    }
  }

  /**
   * The overlay after {@code document}: its routes replace, its functions' limits replace theirs.
   */
  static JsonNode next(JsonNode previous, DeploymentDocument document) {
    ObjectNode next = previous instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
    if (document.routesJson() != null) {
      next.set("routes", document.routesJson());
    }
    ObjectNode limits =
        next.has("limits") ? (ObjectNode) next.get("limits") : next.putObject("limits");
    for (FunctionSpec f : document.functions()) {
      if (f.limits() == null) {
        limits.remove(f.name());
      } else {
        limits.set(f.name(), JSON.valueToTree(f.limits()));
      }
    }
    return next;
  }

  /**
   * {@code base} with {@code overlay} laid over it; throws naming the key when a section does not
   * validate.
   */
  static OutpostConfig applyTo(OutpostConfig base, JsonNode overlay) throws ConfigException {
    if (overlay == null) {
      return base;
    }
    OutpostConfig config = base;
    JsonNode routes = overlay.get("routes");
    if (routes != null) {
      ObjectNode wrapper = JSON.createObjectNode();
      wrapper.set("routes", routes);
      config =
          new OutpostConfig(
              config.broker(),
              config.storage(),
              config.cloud(),
              new ConfigLoader().parse(wrapper.toString(), "fleet overlay").routes(),
              config.functions(),
              config.admin(),
              config.logging(),
              config.security(),
              config.fleet());
    }
    JsonNode limits = overlay.get("limits");
    if (limits != null && limits.size() > 0) {
      FunctionRuntimeOptions f = config.functions();
      Map<String, FunctionOverrides> overrides = new LinkedHashMap<>(f.overrides());
      limits
          .fields()
          .forEachRemaining(
              e -> {
                FunctionOverrides old = overrides.getOrDefault(e.getKey(), FunctionOverrides.NONE);
                JsonNode l = e.getValue();
                overrides.put(
                    e.getKey(),
                    new FunctionOverrides(
                        l.hasNonNull("timeoutMillis")
                            ? l.get("timeoutMillis").asLong()
                            : old.timeoutMillis(),
                        l.hasNonNull("maxConcurrency")
                            ? l.get("maxConcurrency").asInt()
                            : old.maxConcurrency(),
                        l.hasNonNull("maxQueued") ? l.get("maxQueued").asInt() : old.maxQueued(),
                        old.overflow(),
                        old.environment()));
              });
      FunctionRuntimeOptions withLimits = f.withOverrides(overrides);
      config =
          new OutpostConfig(
              config.broker(),
              config.storage(),
              config.cloud(),
              config.routes(),
              withLimits,
              config.admin(),
              config.logging(),
              config.security(),
              config.fleet());
    }
    return config;
  }

  /**
   * A short digest of the live-reloadable sections a fleet deployment sets: the config revision in
   * reports.
   */
  static String revision(OutpostConfig config) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(config.routes().toString().getBytes(StandardCharsets.UTF_8));
      digest.update(config.functions().overrides().toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
