package io.outpost.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {

  private final DurationConverter c = new DurationConverter();

  @Test
  void parsesUnitsBareSecondsAndIso() {
    assertThat(c.convert("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(c.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(c.convert("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.convert("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(c.convert("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.convert("PT3S")).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void rejectsGarbageAndNegatives() {
    assertThatThrownBy(() -> c.convert("soon")).isInstanceOf(TypeConversionException.class);
    assertThatThrownBy(() -> c.convert("-1s")).isInstanceOf(TypeConversionException.class);
  }
}
