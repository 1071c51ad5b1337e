package io.outpost.yaml;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Messages about a YAML file in the words of the file, not of Java: "expected a number, got '1GB'",
 * "did you mean 'maxMessageBytes'?", the line of a tab. Shared by the daemon's configuration and
 * the function descriptor, so both speak alike; JDK-only (it reads the parser's message text).
 */
public final class YamlMessages {

  private static final Pattern STRING_VALUE =
      Pattern.compile("String value \\(\"(.*?)\"\\)", Pattern.DOTALL);
  private static final Pattern TOKEN_KIND = Pattern.compile("from (\\w+) value");
  private static final Pattern OUT_OF_RANGE =
      Pattern.compile("Numeric value \\((.*?)\\) out of range of (\\w+)");

  private YamlMessages() {}

  /**
   * "expected X, got Y" for a value of the wrong type; {@code null} when the failure is not one.
   */
  public static String typeMismatch(Class<?> target, String parserMessage) {
    String message = String.valueOf(parserMessage);
    if (target == null) {
      return null;
    }
    String expected = expected(target);
    Matcher value = STRING_VALUE.matcher(message);
    String got;
    if (value.find()) {
      String text = value.group(1);
      got = "'" + text + "'";
      if (isNumber(target) && text.strip().matches("-?\\d+(\\.\\d+)?")) {
        got += " in quotes (write it without them)";
      }
    } else {
      Matcher kind = TOKEN_KIND.matcher(message);
      got = kind.find() ? kindOf(kind.group(1)) : "something else";
    }
    return "expected " + expected + ", got " + got;
  }

  /** "expected X, got 'value'" for a value a lenient binder could not convert to {@code target}. */
  public static String expectedGot(Class<?> target, Object value) {
    return "expected "
        + (target == null ? "a different value" : expected(target))
        + ", got '"
        + value
        + "'";
  }

  /**
   * "expected a number up to N, got X" for an integer too large for its key; {@code null}
   * otherwise.
   */
  public static String outOfRange(String message) {
    Matcher m = OUT_OF_RANGE.matcher(String.valueOf(message));
    if (!m.find()) {
      return null;
    }
    String max =
        switch (m.group(2)) {
          case "int" -> "2147483647";
          case "long" -> "9223372036854775807";
          case "short" -> "32767";
          default -> null;
        };
    return "expected a number" + (max == null ? "" : " up to " + max) + ", got " + m.group(1);
  }

  private static String expected(Class<?> target) {
    if (isNumber(target)) {
      return "a number";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "true or false";
    }
    if (target == String.class) {
      return "text";
    }
    if (target.isEnum()) {
      StringBuilder b = new StringBuilder("one of");
      for (Object c : target.getEnumConstants()) {
        b.append(b.length() == 6 ? " " : ", ")
            .append(c.toString().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      return b.toString();
    }
    if (Collection.class.isAssignableFrom(target) || target.isArray()) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(target) || target.isRecord()) {
      return "a section of keys";
    }
    return "a different value";
  }

  private static boolean isNumber(Class<?> target) {
    return Number.class.isAssignableFrom(target)
        || target == int.class
        || target == long.class
        || target == short.class
        || target == double.class
        || target == float.class;
  }

  private static String kindOf(String jacksonKind) {
    return switch (jacksonKind) {
      case "Integer", "Float", "Number" -> "a number";
      case "Array" -> "a list";
      case "Object" -> "a section of keys";
      case "Boolean" -> "true or false";
      case "String" -> "text";
      default -> "something else";
    };
  }

  /**
   * The known key closest to {@code unknown} when it is a likely typo (edit distance at most 2),
   * else null.
   */
  public static String didYouMean(String unknown, Collection<?> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Object k : known) {
      String key = String.valueOf(k);
      int d = distance(unknown.toLowerCase(Locale.ROOT), key.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = key;
      }
    }
    int allowed = Math.min(2, Math.max(1, unknown.length() / 4));
    return bestDistance <= allowed ? best : null;
  }

  /**
   * Levenshtein distance, with a transposition counted as one edit (Damerau, optimal string
   * alignment).
   */
  public static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** 1-based line of the first tab in a line's indentation, or 0 when there is none. */
  public static int tabLine(String yaml) {
    java.util.List<Integer> all = tabLines(yaml);
    return all.isEmpty() ? 0 : all.get(0);
  }

  /** 1-based lines with a tab in their indentation, in order. */
  public static java.util.List<Integer> tabLines(String yaml) {
    java.util.List<Integer> found = new java.util.ArrayList<>();
    String[] lines = yaml.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      for (int c = 0; c < line.length(); c++) {
        char ch = line.charAt(c);
        if (ch == '\t') {
          found.add(i + 1);
          break;
        }
        if (ch != ' ' && ch != '-') {
          break;
        }
      }
    }
    return found;
  }
}
