package io.outpost.broker.security;

/**
 * MQTT topic-filter algebra for authorization: does a filter match a topic, does one filter lie within another, do two
 * filters overlap. Wildcards here also match levels starting with {@code $}: a policy errs on the side of the rule.
 */
final class TopicFilters {

  private TopicFilters() {}

  /** Why {@code filter} is not a valid MQTT topic filter, or {@code null} when it is. */
  static String invalidFilter(String filter) {
    if (filter.isEmpty()) {
      return "is empty";
    }
    String[] levels = split(filter);
    for (int i = 0; i < levels.length; i++) {
      String level = levels[i];
      if (level.equals("#")) {
        if (i != levels.length - 1) {
          return "has '#' before the last level";
        }
      } else if (!level.equals("+") && (level.indexOf('#') >= 0 || level.indexOf('+') >= 0)) {
        return "mixes a wildcard with other characters in level '" + level + "'";
      }
      if (level.indexOf('\0') >= 0) {
        return "contains NUL";
      }
    }
    return null;
  }

  /** Whether topic name {@code topic} matches {@code filter}. */
  static boolean matches(String filter, String topic) {
    return covers(filter, topic);
  }

  /** Whether every topic matched by {@code inner} is also matched by {@code outer}. */
  static boolean covers(String outer, String inner) {
    String[] o = split(outer);
    String[] in = split(inner);
    for (int i = 0; i < o.length; i++) {
      if (o[i].equals("#")) {
        return true; // covers the rest, including no further level ("a/#" matches "a")
      }
      if (i >= in.length) {
        return false;
      }
      if (in[i].equals("#")) {
        return false;
      }
      if (!o[i].equals("+") && (in[i].equals("+") || !o[i].equals(in[i]))) {
        return false;
      }
    }
    return o.length == in.length;
  }

  /** Whether some topic is matched by both filters. */
  static boolean intersects(String a, String b) {
    String[] x = split(a);
    String[] y = split(b);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      if (x[i].equals("#") || y[i].equals("#")) {
        return true;
      }
      if (!x[i].equals("+") && !y[i].equals("+") && !x[i].equals(y[i])) {
        return false;
      }
    }
    if (x.length == y.length) {
      return true;
    }
    String[] longer = x.length > y.length ? x : y;
    return longer.length == n + 1 && longer[n].equals("#");
  }

  private static String[] split(String s) {
    return s.split("/", -1);
  }
}
