package io.outpost.function.runtime.descriptor;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The 1-based line of each key path ({@code limits.memoryMiB}, {@code triggers[1]}) in YAML text,
 * so a problem found after binding is reported where the user wrote it. Indexed on first use: a
 * valid descriptor never needs it.
 */
final class YamlLines {

  private final String yaml;
  private Map<String, Integer> lines;

  YamlLines(String yaml) {
    this.yaml = yaml;
  }

  /** Line of {@code keyPath}, else of its nearest ancestor, else 0. */
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
      int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      path = cut <= 0 ? "" : path.substring(0, cut);
    }
    return 0;
  }

  private static Map<String, Integer> index(String yaml) {
    Map<String, Integer> lines = new HashMap<>();
    // each frame: the container's path and, for a list, the next element's index (-1 in a map)
    Deque<String> paths = new ArrayDeque<>();
    Deque<int[]> indexes = new ArrayDeque<>();
    String pending = null;
    try (JsonParser p = new YAMLFactory().createParser(yaml)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (t == JsonToken.FIELD_NAME) {
          pending =
              (paths.isEmpty() || paths.peek().isEmpty() ? "" : paths.peek() + ".")
                  + p.currentName();
          lines.putIfAbsent(pending, p.currentTokenLocation().getLineNr());
          continue;
        }
        if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          paths.pop();
          indexes.pop();
          pending = null;
          continue;
        }
        String here = pending;
        if (here == null) {
          here = "";
          if (!indexes.isEmpty() && indexes.peek()[0] >= 0) {
            here = paths.peek() + "[" + indexes.peek()[0]++ + "]";
            lines.putIfAbsent(here, p.currentTokenLocation().getLineNr());
          }
        }
        pending = null;
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          paths.push(here);
          indexes.push(new int[] {t == JsonToken.START_ARRAY ? 0 : -1});
        }
      }
    } catch (IOException e) {
      // not parseable past here: the reader reports the syntax error; keep what was indexed
    }
    return lines;
  }
}
