package io.outpost.gateway.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The project templates of {@code outpost functions init}, one set per runtime under {@code
 * templates/<runtime>/} in the jar. A set's {@code files} lists {@code template -> path} lines;
 * {@code {{key}}} placeholders in paths and contents are replaced by the given values.
 */
final class FunctionsInitTemplates {

  private static final String ROOT = "templates/";

  private FunctionsInitTemplates() {}

  /**
   * Renders the set of {@code runtime}: project-relative path to file content, in the order of its
   * {@code files}.
   *
   * @throws IllegalArgumentException when a template uses a placeholder without a value
   */
  static Map<String, String> render(String runtime, Map<String, String> values) {
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : read(runtime + "/files").split("\n", -1)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("->", 2);
      String template = parts[0].strip();
      String path = parts[1].strip();
      files.put(fill(path, values), fill(read(runtime + "/" + template), values));
    }
    return files;
  }

  /** Replaces every {@code {{key}}}; a key without a value is a bug in the templates. */
  static String fill(String text, Map<String, String> values) {
    StringBuilder out = new StringBuilder(text.length());
    int at = 0;
    while (true) {
      int open = text.indexOf("{{", at);
      if (open < 0) {
        return out.append(text, at, text.length()).toString();
      }
      int close = text.indexOf("}}", open);
      if (close < 0) {
        return out.append(text, at, text.length()).toString();
      }
      String key = text.substring(open + 2, close);
      String value = values.get(key);
      if (value == null) {
        throw new IllegalArgumentException("template placeholder without a value: " + key);
      }
      out.append(text, at, open).append(value);
      at = close + 2;
    }
  }

  private static String read(String resource) {
    try (InputStream in =
        Objects.requireNonNull(
            FunctionsInitTemplates.class.getResourceAsStream(ROOT + resource),
            () -> "missing template " + resource)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
