package io.outpost.gateway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the relative file paths of a configuration file absolute against the file's directory, so
 * {@code storage.dir: ./data} in {@code /etc/outpost/outpost.yaml} means {@code /etc/outpost/data}
 * whoever starts the daemon from wherever (before, it meant the working directory). Rewrites the
 * YAML tree before binding: the records then see absolute paths only.
 */
final class RelativePaths {

  /**
   * The keys holding file or directory paths, by section; {@code *} stands for every element of a
   * list.
   */
  private static final List<List<String>> PATH_KEYS =
      List.of(
          List.of("storage", "dir"),
          List.of("admin", "tokenFile"),
          List.of("security", "passwordFile"),
          List.of("broker", "listeners", "*", "tls", "certFile"),
          List.of("broker", "listeners", "*", "tls", "keyFile"),
          List.of("broker", "listeners", "*", "tls", "caFile"),
          List.of("cloud", "tls", "certFile"),
          List.of("cloud", "tls", "keyFile"),
          List.of("cloud", "tls", "caFile"));

  private RelativePaths() {}

  /**
   * Rewrites, in place, every relative path of {@code tree} against {@code baseDir}; returns
   * whether any changed.
   */
  static boolean resolve(JsonNode tree, Path baseDir) {
    boolean changed = false;
    for (List<String> key : PATH_KEYS) {
      changed |= resolve(tree, key, 0, baseDir);
    }
    return changed;
  }

  private static boolean resolve(JsonNode node, List<String> key, int at, Path baseDir) {
    if (node == null) {
      return false;
    }
    String step = key.get(at);
    if (step.equals("*")) {
      boolean changed = false;
      if (node.isArray()) {
        for (JsonNode element : node) {
          changed |= resolve(element, key, at + 1, baseDir);
        }
      }
      return changed;
    }
    if (!(node instanceof ObjectNode object)) {
      return false;
    }
    if (at < key.size() - 1) {
      return resolve(object.get(step), key, at + 1, baseDir);
    }
    JsonNode value = object.get(step);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      return false;
    }
    Path path = Path.of(value.asText());
    if (path.isAbsolute()) {
      return false;
    }
    object.set(step, TextNode.valueOf(baseDir.resolve(path).normalize().toString()));
    return true;
  }
}
