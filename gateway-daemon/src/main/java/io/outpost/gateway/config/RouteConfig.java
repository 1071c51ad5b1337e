package io.outpost.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code routes:}: messages published on one side whose topic matches {@code filter}
 * are forwarded to the other side. {@code local → cloud} messages are spooled durably before the
 * device is acknowledged; {@code cloud → local} messages are delivered into the local broker.
 *
 * @param name stable name used in metrics, spool rows and the admin API; default {@code
 *     route-<index>}
 * @param from {@code local} or {@code cloud}
 * @param filter MQTT topic filter matched against the topic on the {@code from} side
 * @param to {@code cloud} or {@code local}; must differ from {@code from}
 * @param topic optional rewrite template for the topic on the {@code to} side, with {@code {topic}}
 *     (original topic) and {@code {clientId}} (publisher); default unchanged
 * @param prefix optional prefix put before the original topic; shorthand for {@code topic:
 *     "<prefix>{topic}"}
 * @param qos QoS used on the {@code to} side, 0 or 1 (cloud-bound) or 0..2 (local); default {@value
 *     #DEFAULT_QOS_TO_CLOUD} towards the cloud, the original QoS towards local subscribers
 * @param priority 0 (lowest) .. 9 (highest); higher drains first and is evicted last; default
 *     {@value #DEFAULT_PRIORITY}
 * @param ttlSeconds how long a spooled message stays worth sending; {@code 0} (default) keeps it
 *     until sent
 */
public record RouteConfig(
    String name,
    Side from,
    String filter,
    Side to,
    String topic,
    String prefix,
    Integer qos,
    Integer priority,
    Long ttlSeconds) {

  public static final int DEFAULT_QOS_TO_CLOUD = 1;
  public static final int DEFAULT_PRIORITY = 4;
  public static final int MAX_PRIORITY = 9;
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");

  /** Which side of the gateway a route starts or ends on. */
  public enum Side {
    LOCAL,
    CLOUD;

    @JsonCreator
    static Side parse(String value) {
      for (Side side : values()) {
        if (side.yaml().equals(value)) {
          return side;
        }
      }
      throw new IllegalArgumentException("must be 'local' or 'cloud', not '" + value + "'");
    }

    @JsonValue
    public String yaml() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RouteConfig {
    if (from == null) {
      throw new IllegalArgumentException("from: is required (local or cloud)");
    }
    if (to == null) {
      throw new IllegalArgumentException("to: is required (cloud or local)");
    }
    if (from == to) {
      throw new IllegalArgumentException("to: must differ from 'from' (" + from.yaml() + ")");
    }
    if (filter == null || filter.isEmpty()) {
      throw new IllegalArgumentException("filter: is required");
    }
    if (topic != null && prefix != null) {
      throw new IllegalArgumentException("prefix: use either 'topic' or 'prefix', not both");
    }
    if (topic != null) {
      checkTemplate(topic);
    }
    int maxQos = to == Side.CLOUD ? 1 : 2;
    if (qos != null && (qos < 0 || qos > maxQos)) {
      throw new IllegalArgumentException(
          "qos: must be 0.." + maxQos + " towards " + to.yaml() + ", not " + qos);
    }
    priority = priority == null ? DEFAULT_PRIORITY : priority;
    if (priority < 0 || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority: must be 0.." + MAX_PRIORITY + ", not " + priority);
    }
    ttlSeconds = ttlSeconds == null ? 0L : ttlSeconds;
    if (ttlSeconds < 0) {
      throw new IllegalArgumentException("ttlSeconds: must be >= 0, not " + ttlSeconds);
    }
  }

  private static void checkTemplate(String template) {
    Matcher m = PLACEHOLDER.matcher(template);
    while (m.find()) {
      String name = m.group(1);
      if (!name.equals("topic") && !name.equals("clientId")) {
        throw new IllegalArgumentException(
            "topic: unknown placeholder {" + name + "}; use {topic} or {clientId}");
      }
    }
  }

  /** The rewrite template in effect ({@code {topic}} when the topic is kept). */
  public String template() {
    if (topic != null) {
      return topic;
    }
    return prefix == null ? "{topic}" : prefix + "{topic}";
  }

  /** A copy with {@code name} set. */
  public RouteConfig withName(String newName) {
    return new RouteConfig(newName, from, filter, to, topic, prefix, qos, priority, ttlSeconds);
  }
}
