package io.outpost.gateway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds the line of a key path in YAML text. Jackson reports where its parser stood when binding
 * failed, which for a value rejected by a record constructor is the end of the enclosing mapping;
 * operators need the line of the key.
 */
final class KeyLocator {

  private final String yaml;
  private Map<String, Integer> lines;

  private KeyLocator(String yaml) {
    this.yaml = yaml;
  }

  /**
   * A locator over {@code yaml}. The text is indexed on the first {@link #lineOf} call only: a
   * valid file (the case at every start) never needs line numbers, and a second YAML pass is a
   * measurable part of start-up on small boxes.
   */
  static KeyLocator of(String yaml) {
    return new KeyLocator(yaml);
  }

  /** Line of {@code keyPath}, or of its nearest indexed ancestor, or 0. */
  int lineOf(String keyPath) {
    if (lines == null) {
      lines = index(yaml);
    }
    String path = keyPath;
    while (!path.isEmpty()) {
      Integer line = lines.get(path);
      if (line != null) {
        return line;
      }
      path = parent(path);
    }
    return 0;
  }

  private static Map<String, Integer> index(String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      walk(p, lines);
    } catch (IOException e) {
      // Not parseable: the binder reports the syntax error with its own location; keep what was
      // indexed.
    }
    return lines;
  }

  private static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? "" : path.substring(0, cut);
  }

  private static void walk(JsonParser p, Map<String, Integer> lines) throws IOException {
    // Each frame is the path of the container we are in; arrays also count their elements.
    Deque<String> paths = new ArrayDeque<>();
    Deque<int[]> indexes = new ArrayDeque<>();
    String pendingField = null;
    for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
      switch (t) {
        case FIELD_NAME -> {
          String path = join(paths.isEmpty() ? "" : paths.peek(), p.currentName());
          lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
          pendingField = path;
        }
        case START_OBJECT, START_ARRAY -> {
          String here = valuePath(paths, indexes, pendingField, p, lines);
          paths.push(here);
          indexes.push(new int[] {t == JsonToken.START_ARRAY ? 0 : -1});
          pendingField = null;
        }
        case END_OBJECT, END_ARRAY -> {
          paths.pop();
          indexes.pop();
          pendingField = null;
        }
        default -> {
          valuePath(paths, indexes, pendingField, p, lines);
          pendingField = null;
        }
      }
    }
  }

  /** Path of the value starting at the current token; advances the element index inside arrays. */
  private static String valuePath(
      Deque<String> paths,
      Deque<int[]> indexes,
      String pendingField,
      JsonParser p,
      Map<String, Integer> lines) {
    if (pendingField != null) {
      return pendingField;
    }
    if (indexes.isEmpty()) {
      return "";
    }
    int[] index = indexes.peek();
    if (index[0] < 0) {
      return paths.peek();
    }
    String path = paths.peek() + "[" + index[0]++ + "]";
    lines.putIfAbsent(path, p.currentTokenLocation().getLineNr());
    return path;
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }
}
