package io.outpost.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code logging:} section. Logs go to stdout, which journald captures under systemd.
 *
 * @param level root level: {@code error}, {@code warn}, {@code info} (default), {@code debug},
 *     {@code trace}
 * @param format {@code text} (default) or {@code json} (one JSON object per line)
 * @param levels per-logger levels, e.g. {@code {io.outpost.spool: debug, io.netty: warn}}
 */
public record LoggingConfig(String level, Format format, Map<String, String> levels) {

  public static final String DEFAULT_LEVEL = "info";
  private static final Set<String> LEVELS =
      Set.of("error", "warn", "info", "debug", "trace", "off");

  /** Output encoding of log lines. */
  public enum Format {
    TEXT,
    JSON;

    @JsonCreator
    static Format parse(String value) {
      for (Format f : values()) {
        if (f.yaml().equals(value)) {
          return f;
        }
      }
      throw new IllegalArgumentException("must be 'text' or 'json', not '" + value + "'");
    }

    @JsonValue
    public String yaml() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public LoggingConfig {
    level = level == null ? DEFAULT_LEVEL : level.toLowerCase(Locale.ROOT);
    format = format == null ? Format.TEXT : format;
    levels = levels == null ? Map.of() : Map.copyOf(levels);
    checkLevel("level", level);
    levels.forEach(
        (logger, value) -> checkLevel("levels." + logger, value.toLowerCase(Locale.ROOT)));
  }

  private static void checkLevel(String key, String value) {
    if (!LEVELS.contains(value)) {
      throw new IllegalArgumentException(
          key + ": must be one of " + LEVELS + ", not '" + value + "'");
    }
  }

  public static LoggingConfig defaults() {
    return new LoggingConfig(null, null, null);
  }
}
