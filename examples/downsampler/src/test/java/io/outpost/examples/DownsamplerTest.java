package io.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.function.testing.FunctionTester;
import io.outpost.function.testing.TestMessage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DownsamplerTest {

  private final FunctionTester tester =
      FunctionTester.of(new Downsampler()).withConfig(Map.of("windowSeconds", "10"));

  private List<String> send(String sensor, double celsius, String at) throws Exception {
    return tester
        .invoke(
            TestMessage.of("sensors/" + sensor + "/temperature", "{\"celsius\":" + celsius + "}")
                .withPublisher(sensor)
                .receivedAt(Instant.parse(at)))
        .outputs()
        .stream()
        .map(m -> m.topic() + " " + m.payloadAsString())
        .toList();
  }

  @Test
  void emitsOneSummaryPerSensorWhenItsWindowCloses() throws Exception {
    assertThat(send("s1", 20, "2026-01-01T00:00:01Z")).isEmpty();
    assertThat(send("s1", 22, "2026-01-01T00:00:05Z")).isEmpty();
    assertThat(send("s2", 30, "2026-01-01T00:00:06Z")).isEmpty();
    assertThat(send("s1", 24, "2026-01-01T00:00:09.999Z")).isEmpty();

    List<String> closed = send("s1", 99, "2026-01-01T00:00:10Z");

    assertThat(closed)
        .containsExactly(
            "downsampled/s1/temperature {\"sensor\":\"s1\","
                + "\"windowStart\":\"2026-01-01T00:00:00Z\",\"windowEnd\":\"2026-01-01T00:00:10Z\","
                + "\"count\":3,\"avg\":22.0,\"min\":20.0,\"max\":24.0}");
    assertThat(send("s2", 31, "2026-01-01T00:00:25Z"))
        .singleElement()
        .asString()
        .contains("\"count\":1", "\"avg\":30.0");
  }
}
