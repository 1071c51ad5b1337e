package io.outpost.sim.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, a bare number of seconds, or ISO-8601.
 */
final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("pt") || v.startsWith("p")) {
        return Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return millis(v.substring(0, v.length() - 1), 1000);
      }
      if (v.endsWith("m")) {
        return millis(v.substring(0, v.length() - 1), 60_000);
      }
      if (v.endsWith("h")) {
        return millis(v.substring(0, v.length() - 1), 3_600_000);
      }
      return millis(v, 1000);
    } catch (RuntimeException e) {
      throw new TypeConversionException(
          "'" + value + "' is not a duration (try 500ms, 10s, 2m, 1h)");
    }
  }

  private static Duration millis(String number, long unitMillis) {
    double n = Double.parseDouble(number);
    if (n < 0) {
      throw new IllegalArgumentException("negative");
    }
    return Duration.ofMillis(Math.round(n * unitMillis));
  }
}
