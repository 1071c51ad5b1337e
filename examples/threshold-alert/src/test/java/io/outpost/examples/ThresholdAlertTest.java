package io.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.function.testing.FunctionTester;
import io.outpost.function.testing.TestResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThresholdAlertTest {

  private final FunctionTester tester =
      FunctionTester.of(ThresholdAlert::new).withConfig(Map.of("threshold", "30"));

  @Test
  void alertsWhenReadingIsAboveThreshold() throws Exception {
    TestResult result = tester.invoke("sensors/s1/temperature", "{\"celsius\": 31.5}");

    assertThat(result.outputs())
        .singleElement()
        .satisfies(
            alert -> {
              assertThat(alert.topic()).isEqualTo("alerts/s1/temperature");
              assertThat(alert.payloadAsString()).contains("\"sensor\":\"s1\"", "\"celsius\":31.5");
              assertThat(alert.qos()).isEqualTo(1);
            });
    assertThat(tester.logs()).containsExactly("INFO sensor s1 at 31.5 C is above 30.0 C");
  }

  @Test
  void staysQuietAtOrBelowThreshold() throws Exception {
    assertThat(tester.invoke("sensors/s1/temperature", "{\"celsius\": 30}").outputs()).isEmpty();
  }

  @Test
  void rejectsReadingWithoutCelsius() {
    assertThatThrownBy(() -> tester.invoke("sensors/s1/temperature", "{\"kelvin\": 300}"))
        .hasMessageContaining("no numeric 'celsius'");
  }
}
