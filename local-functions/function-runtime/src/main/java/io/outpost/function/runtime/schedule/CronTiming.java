package io.outpost.function.runtime.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A cron schedule with seconds, in the six-field Spring format ({@code second minute hour
 * day-of-month month day-of-week}, e.g. {@code "0 *}{@code /5 * * * *"} every five minutes, {@code
 * "0 0 6 * * MON-FRI"} at 06:00 on weekdays), evaluated in UTC. Parsed by cron-utils.
 *
 * @param expression the descriptor's value
 */
public record CronTiming(String expression) implements Timing {

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.SPRING53));

  /**
   * Parses and validates an expression.
   *
   * @throws IllegalArgumentException {@code "schedule: why"}
   */
  public static CronTiming parse(String expression) {
    CronTiming timing = new CronTiming(expression.trim());
    timing.executionTime(); // fails early on a bad expression
    return timing;
  }

  @Override
  public Instant next(Instant after) {
    return executionTime()
        .nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC))
        .map(ZonedDateTime::toInstant)
        .orElse(null);
  }

  private ExecutionTime executionTime() {
    try {
      Cron cron = PARSER.parse(expression).validate();
      return ExecutionTime.forCron(cron);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "schedule: not a cron expression with seconds (second minute hour day-of-month month"
              + " day-of-week, e.g. \"0 */5 * * * *\"): '"
              + expression
              + "'"
              + reason(e),
          e);
    }
  }

  /** cron-utils' own reason, which names the field; never a class name. */
  private static String reason(RuntimeException e) {
    String m = e instanceof IllegalArgumentException ? e.getMessage() : null;
    return m == null || m.isBlank() ? "" : " (" + m.lines().findFirst().orElse("").trim() + ")";
  }
}
