package io.outpost.topic;

/**
 * Whether a filter whose first level is a wildcard ({@code +} or {@code #}) matches topics starting
 * with {@code $}.
 *
 * <p>The one place where the users of this library deliberately differ: subscriptions, routes and
 * function triggers follow MQTT (§4.7.2: {@code #} does not match {@code $SYS/uptime}), while an
 * authorization policy errs on the side of its rule, so a deny rule {@code #} also denies {@code
 * $SYS/uptime}.
 */
public enum DollarTopics {

  /** MQTT's rule: a leading wildcard never matches a topic starting with {@code $}. */
  EXCLUDED,

  /** Authorization's rule: wildcards match {@code $} topics like any other. */
  INCLUDED
}
