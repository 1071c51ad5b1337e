package io.outpost.function.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.function.Handler;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.Publication;
import io.outpost.function.runtime.OutboundMessage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FunctionTesterTest {

  private static final Handler GREETER =
      (message, context) -> {
        context.logger().info("greeting {}", message.jsonObject().get("who"));
        context.publish(Publication.text("log", "seen"));
        return List.of(
            Publication.json(
                    "greetings",
                    Map.of(
                        "text",
                            context.config().get("prefix") + " " + message.jsonObject().get("who"),
                        "function", context.functionName(),
                        "at", message.receivedAt().toString()))
                .withQos(1));
      };

  @Test
  void runsHandlerWithConfigAndCollectsPublishedThenReturnedOutputs() throws Exception {
    FunctionTester tester =
        FunctionTester.of(GREETER)
            .named("greeter", "1.0")
            .withConfig(Map.of("prefix", "hi"))
            .withClock(Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    TestResult result = tester.invoke("people/in", "{\"who\":\"ada\"}");

    assertThat(result.outputs())
        .extracting(OutboundMessage::topic)
        .containsExactly("log", "greetings");
    assertThat(result.returned().get(0).payloadAsString())
        .contains(
            "\"text\":\"hi ada\"", "\"function\":\"greeter\"", "\"at\":\"2026-01-01T00:00:00Z\"");
    assertThat(result.returned().get(0).qos()).isEqualTo(1);
    assertThat(tester.logs()).containsExactly("INFO greeting ada");
  }

  @Test
  void handlerExceptionsPropagateUnchanged() {
    FunctionTester tester = FunctionTester.of(GREETER);

    assertThatThrownBy(() -> tester.invoke("people/in", "not json"))
        .isInstanceOf(PayloadFormatException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void supplierFormCreatesAFreshHandlerPerInvocation() throws Exception {
    int[] created = {0};
    FunctionTester tester =
        FunctionTester.of(
            () -> {
              created[0]++;
              return (message, context) -> List.of();
            });

    tester.invoke("a", "1");
    tester.invoke("a", "2");

    assertThat(created[0]).isEqualTo(2);
  }
}
