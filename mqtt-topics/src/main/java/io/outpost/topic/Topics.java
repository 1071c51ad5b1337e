package io.outpost.topic;

import java.nio.charset.StandardCharsets;

/**
 * Validation of MQTT topic names and topic filters as defined by MQTT 3.1.1 §4.7 and MQTT 5.0 §4.7.
 *
 * <p>The broker (for PUBLISH and SUBSCRIBE), its authorization policy, the daemon's route
 * configuration and the local functions' triggers use these rules, so a filter the config accepts
 * is exactly a filter a client could subscribe to. Invalid input is reported as an {@link
 * IllegalArgumentException} whose message says why.
 */
public final class Topics {

  /** Longest topic name or filter in UTF-8 bytes (the 2-byte length prefix of an MQTT string). */
  public static final int MAX_LENGTH_BYTES = 65_535;

  /** Prefix of a shared subscription filter ({@code $share/group/filter}). */
  public static final String SHARE_PREFIX = "$share/";

  private Topics() {}

  /**
   * Throws {@link IllegalArgumentException} unless {@code topic} is a valid topic name (no
   * wildcards).
   */
  public static void validateName(String topic) {
    String error = nameError(topic);
    if (error != null) {
      throw new IllegalArgumentException("invalid topic name '" + topic + "': " + error);
    }
  }

  /**
   * Throws {@link IllegalArgumentException} unless {@code filter} is a valid (non-shared) topic
   * filter.
   */
  public static void validateFilter(String filter) {
    String error = filterError(filter);
    if (error != null) {
      throw new IllegalArgumentException("invalid topic filter '" + filter + "': " + error);
    }
  }

  /** Whether {@code topic} is a valid topic name. */
  public static boolean isValidName(String topic) {
    return nameError(topic) == null;
  }

  /** Whether {@code filter} is a valid topic filter. */
  public static boolean isValidFilter(String filter) {
    return filterError(filter) == null;
  }

  /**
   * Why {@code filter} is not a valid topic filter, e.g. {@code '+' must be a whole level}; null
   * when it is.
   */
  public static String filterProblem(String filter) {
    return filterError(filter);
  }

  /** Whether {@code filter} uses the shared-subscription syntax {@code $share/group/filter}. */
  public static boolean isShared(String filter) {
    return filter != null && filter.startsWith(SHARE_PREFIX);
  }

  static String nameError(String topic) {
    String common = commonError(topic);
    if (common != null) {
      return common;
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (c == '+' || c == '#') {
        return "wildcards are not allowed in a topic name";
      }
    }
    return null;
  }

  static String filterError(String filter) {
    String common = commonError(filter);
    if (common != null) {
      return common;
    }
    int levelStart = 0;
    for (int i = 0; i <= filter.length(); i++) {
      if (i == filter.length() || filter.charAt(i) == '/') {
        String error = levelError(filter, levelStart, i);
        if (error != null) {
          return error;
        }
        levelStart = i + 1;
      }
    }
    return null;
  }

  private static String levelError(String filter, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = filter.charAt(i);
      if (c == '+' && end - start != 1) {
        return "'+' must be a whole level";
      }
      if (c == '#') {
        if (end - start != 1 || end != filter.length()) {
          return "'#' must be a whole level and the last one";
        }
      }
    }
    return null;
  }

  private static String commonError(String s) {
    if (s == null || s.isEmpty()) {
      return "must not be empty";
    }
    if (s.indexOf('\u0000') >= 0) {
      return "must not contain U+0000";
    }
    // cheap upper bound first: a UTF-16 char is at most 3 UTF-8 bytes
    if (s.length() * 3 > MAX_LENGTH_BYTES
        && s.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH_BYTES) {
      return "longer than " + MAX_LENGTH_BYTES + " UTF-8 bytes";
    }
    return null;
  }
}
