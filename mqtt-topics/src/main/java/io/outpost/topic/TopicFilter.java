package io.outpost.topic;

import java.util.Arrays;

/**
 * A validated MQTT topic filter that can be matched against topic names.
 *
 * <p>Implements the matching rules of MQTT 5.0 §4.7: {@code +} matches exactly one level, {@code #}
 * matches the parent level and any number of child levels, and (under {@link
 * DollarTopics#EXCLUDED}, the default) topics starting with {@code $} are never matched by a filter
 * whose first level is a wildcard. Besides matching topic names, a filter can be compared with
 * another filter ({@link #covers}, {@link #intersects}), which authorization needs. Instances are
 * immutable and thread-safe.
 */
public final class TopicFilter {

  private final String filter;
  private final String[] levels;
  private final DollarTopics dollarTopics;

  /**
   * Precomputed: a leading wildcard under {@link DollarTopics#EXCLUDED}, so {@code $} topics never
   * match.
   */
  private final boolean skipsDollarTopics;

  private TopicFilter(String filter, DollarTopics dollarTopics) {
    this.filter = filter;
    this.levels = TopicLevels.split(filter);
    this.dollarTopics = dollarTopics;
    this.skipsDollarTopics = dollarTopics == DollarTopics.EXCLUDED && isWildcard(levels[0]);
  }

  /**
   * Parses and validates {@code filter} with MQTT's {@code $}-topic rule; throws {@link
   * IllegalArgumentException} when it is invalid.
   */
  public static TopicFilter of(String filter) {
    return of(filter, DollarTopics.EXCLUDED);
  }

  /** Parses and validates {@code filter} with the given {@code $}-topic rule. */
  public static TopicFilter of(String filter, DollarTopics dollarTopics) {
    Topics.validateFilter(filter);
    return new TopicFilter(filter, dollarTopics);
  }

  /**
   * Whether this filter matches the topic name {@code topic} (which is assumed valid). Walks the
   * topic in place: routes match every published message against their filters, so this allocates
   * nothing.
   */
  public boolean matches(String topic) {
    if (skipsDollarTopics && topic.startsWith("$")) {
      return false;
    }
    int length = topic.length();
    int start =
        0; // of the topic level under the filter level; length + 1 once the topic has no more
    // levels
    for (String level : levels) {
      if (level.equals("#")) {
        return true; // also the parent level: "a/#" matches "a"
      }
      if (start > length) {
        return false;
      }
      int end = topic.indexOf('/', start);
      if (end < 0) {
        end = length;
      }
      if (!level.equals("+")
          && (end - start != level.length()
              || !topic.regionMatches(start, level, 0, level.length()))) {
        return false;
      }
      start = end + 1;
    }
    return start == length + 1;
  }

  /**
   * Whether every topic matched by the filter {@code inner} is also matched by this one (an
   * authorization rule {@code devices/a/#} covers a subscription to {@code devices/a/+/x}, not one
   * to {@code devices/#}).
   */
  public boolean covers(String inner) {
    String[] in = TopicLevels.split(inner);
    if (skipsDollarTopics && in[0].startsWith("$")) {
      return false;
    }
    for (int i = 0; i < levels.length; i++) {
      if (levels[i].equals("#")) {
        return true; // covers the rest, including no further level ("a/#" matches "a")
      }
      if (i >= in.length || in[i].equals("#")) {
        return false;
      }
      if (!levels[i].equals("+") && (in[i].equals("+") || !levels[i].equals(in[i]))) {
        return false;
      }
    }
    return levels.length == in.length;
  }

  /** Whether some topic name is matched both by this filter and by the filter {@code other}. */
  public boolean intersects(String other) {
    String[] y = TopicLevels.split(other);
    if (dollarTopics == DollarTopics.EXCLUDED
        && (skipsDollarTopics && y[0].startsWith("$")
            || isWildcard(y[0]) && levels[0].startsWith("$"))) {
      return false;
    }
    int n = Math.min(levels.length, y.length);
    for (int i = 0; i < n; i++) {
      if (levels[i].equals("#") || y[i].equals("#")) {
        return true;
      }
      if (!levels[i].equals("+") && !y[i].equals("+") && !levels[i].equals(y[i])) {
        return false;
      }
    }
    if (levels.length == y.length) {
      return true;
    }
    String[] longer = levels.length > y.length ? levels : y;
    return longer.length == n + 1 && longer[n].equals("#");
  }

  /** Whether the filter contains {@code +} or {@code #}. */
  public boolean hasWildcards() {
    return Arrays.stream(levels).anyMatch(TopicFilter::isWildcard);
  }

  /** The {@code $}-topic rule this filter matches with. */
  public DollarTopics dollarTopics() {
    return dollarTopics;
  }

  private static boolean isWildcard(String level) {
    return level.equals("+") || level.equals("#");
  }

  /** The filter text. */
  public String filter() {
    return filter;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicFilter other
        && other.filter.equals(filter)
        && other.dollarTopics == dollarTopics;
  }

  @Override
  public int hashCode() {
    return filter.hashCode() * 31 + dollarTopics.hashCode();
  }

  @Override
  public String toString() {
    return filter;
  }
}
