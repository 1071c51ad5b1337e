package io.outpost.function.runtime.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.schedule.CronTiming;
import io.outpost.function.runtime.schedule.EveryTiming;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The descriptor's {@code schedule}, {@code every} and {@code catchUp} keys. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ScheduleDescriptorTest {

  private static final String BASE = "name: tick\nversion: 1.0.0\nhandler: a.B\n";

  private static FunctionDescriptor parse(String extra) {
    return FunctionDescriptor.parse(
        new ByteArrayInputStream((BASE + extra).getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @Test
  void aFunctionWithoutScheduleHasNoTiming() {
    FunctionDescriptor d = parse("triggers: [\"a/#\"]\n");

    assertThat(d.timing()).isNull();
    assertThat(d.catchesUp()).isFalse();
  }

  @Test
  void scheduleIsACronExpressionAlongsideTopicTriggers() {
    FunctionDescriptor d = parse("triggers: [\"a/#\"]\nschedule: \"0 */5 * * * *\"\n");

    assertThat(d.timing()).isEqualTo(new CronTiming("0 */5 * * * *"));
    assertThat(d.triggers()).containsExactly("a/#");
    assertThat(d.catchesUp()).isFalse();
  }

  @Test
  void everyIsAnIntervalAndCatchUpIsOptIn() {
    FunctionDescriptor d = parse("every: 10s\ncatchUp: true\n");

    assertThat(((EveryTiming) d.timing()).interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.catchesUp()).isTrue();
  }

  @Test
  void badValuesAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> parse("schedule: \"*/5 * * * *\"\n"))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("schedule: not a cron expression with seconds");
    assertThatThrownBy(() -> parse("every: 10 minutes\n"))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("every: expected a number and a unit");
    assertThatThrownBy(() -> parse("every: 10s\nschedule: \"0 * * * * *\"\n"))
        .hasMessageContaining("every: give either schedule (cron) or every (an interval)");
    assertThatThrownBy(() -> parse("catchUp: true\n"))
        .hasMessageContaining("catchUp: only with schedule or every");
  }
}
