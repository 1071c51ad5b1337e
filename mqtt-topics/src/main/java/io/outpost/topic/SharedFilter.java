package io.outpost.topic;

/**
 * A parsed shared-subscription filter {@code $share/{group}/{filter}} (MQTT 5.0 §4.8.2).
 *
 * @param group the share name; non-empty, without {@code /}, {@code +} or {@code #}
 * @param filter the topic filter the group subscribes to
 */
public record SharedFilter(String group, String filter) {

  /**
   * Parses {@code text}; returns {@code null} when it is not a shared filter, and throws {@link
   * IllegalArgumentException} when it uses the {@code $share/} prefix but is malformed.
   */
  public static SharedFilter parse(String text) {
    if (!Topics.isShared(text)) {
      return null;
    }
    int groupEnd = text.indexOf('/', Topics.SHARE_PREFIX.length());
    if (groupEnd < 0) {
      throw new IllegalArgumentException(
          "invalid shared subscription '" + text + "': missing filter");
    }
    String group = text.substring(Topics.SHARE_PREFIX.length(), groupEnd);
    if (group.isEmpty() || group.indexOf('+') >= 0 || group.indexOf('#') >= 0) {
      throw new IllegalArgumentException(
          "invalid shared subscription '" + text + "': bad share name");
    }
    String filter = text.substring(groupEnd + 1);
    Topics.validateFilter(filter);
    return new SharedFilter(group, filter);
  }
}
