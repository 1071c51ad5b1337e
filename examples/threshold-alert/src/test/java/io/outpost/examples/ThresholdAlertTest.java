package io.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.function.testing.FunctionTester;
import io.outpost.function.testing.PublishedMessage;
import io.outpost.function.testing.TestResult;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;

class ThresholdAlertTest {

  private final FunctionTester tester =
      FunctionTester.of(ThresholdAlert::new).withConfig(Map.of("threshold", "30"));

  @Test
  void alertsWhenReadingIsAboveThreshold() throws Exception {
    TestResult result = tester.invoke("sensors/s1/temperature", "{\"celsius\": 31.5}");

    PublishedMessage alert = result.singleOutput();
    assertThat(alert.topic()).isEqualTo("alerts/s1/temperature");
    assertThat(alert.qos()).isEqualTo(1);
    assertThat(alert.payloadJson())
        .asInstanceOf(InstanceOfAssertFactories.MAP)
        .containsEntry("sensor", "s1")
        .containsEntry("celsius", 31.5)
        .containsEntry("threshold", 30.0);
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
