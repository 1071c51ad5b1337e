package io.outpost.function.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.function.Handler;
import io.outpost.function.PayloadFormatException;
import io.outpost.function.Publication;
import java.time.Clock;
import java.time.Duration;
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
        .extracting(PublishedMessage::topic)
        .containsExactly("log", "greetings");
    result
        .returned()
        .get(0)
        .assertJsonEquals(
            "{\"at\": \"2026-01-01T00:00:00Z\", \"function\": \"greeter\", \"text\": \"hi ada\"}");
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

  @Test
  void testMessageCarriesQosPropertiesPublisherAndReceiveTime() throws Exception {
    FunctionTester tester =
        FunctionTester.of(
            (message, context) ->
                List.of(
                    Publication.json(
                        "seen",
                        Map.of(
                            "qos", message.qos(),
                            "unit", message.userProperty("unit").orElse("?"),
                            "from", message.publisherClientId().orElse("?"),
                            "at", message.receivedAt().toString(),
                            "celsius", message.number("reading.celsius").orElse(-1.0),
                            "missing", message.number("reading.kelvin").isPresent(),
                            "bytes", message.payload().length,
                            "raw", message.payloadAsString().length()))));

    PublishedMessage out =
        tester
            .invoke(
                TestMessage.of("s/1", "{\"reading\": {\"celsius\": 21.5}}")
                    .withQos(2)
                    .withUserProperty("unit", "C")
                    .withPublisher("dev-1")
                    .receivedAt(Instant.parse("2026-02-03T04:05:06Z")))
            .singleOutput();

    out.assertJsonEquals(
        "{\"qos\": 2, \"unit\": \"C\", \"from\": \"dev-1\", \"at\": \"2026-02-03T04:05:06Z\","
            + " \"celsius\": 21.5, \"missing\": false, \"bytes\": 30, \"raw\": 30}");
  }

  record Reading(String sensor, double celsius) {}

  @Test
  void jsonAccessorsBindRecordsAndRejectWrongShapes() throws Exception {
    FunctionTester binder =
        FunctionTester.of(
            (message, context) ->
                List.of(Publication.text("bound", message.jsonAs(Reading.class).sensor())));
    assertThat(
            binder
                .invoke("r", "{\"sensor\": \"s9\", \"celsius\": 1, \"extra\": true}")
                .singleOutput()
                .payloadAsString())
        .isEqualTo("s9");
    assertThatThrownBy(() -> binder.invoke("r", "[1]"))
        .isInstanceOf(PayloadFormatException.class)
        .hasMessageContaining("does not fit");

    FunctionTester objects =
        FunctionTester.of(
            (message, context) -> {
              message.jsonObject();
              return null;
            });
    assertThatThrownBy(() -> objects.invoke("r", "[1]"))
        .isInstanceOf(PayloadFormatException.class)
        .hasMessage("payload on r is JSON but not an object");
    assertThat(objects.invoke("r", "{}").outputs()).isEmpty();
  }

  @Test
  void singleOutputFailsUnlessThereIsExactlyOne() throws Exception {
    TestResult none = FunctionTester.of((message, context) -> List.of()).invoke("a", "1");

    assertThatThrownBy(none::singleOutput)
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("exactly one output");
  }

  @Test
  void remainingTimeFollowsTheConfiguredTimeoutAndLogsSubstituteArguments() throws Exception {
    FunctionTester tester =
        FunctionTester.of(
                (message, context) -> {
                  context.logger().debug("d {} {}", 1, 2);
                  context.logger().warn("w {}", "x");
                  context.logger().error("failed", new IllegalStateException("boom"));
                  return List.of(
                      Publication.text(
                          "left",
                          context.remainingTime().compareTo(Duration.ofSeconds(5)) <= 0
                              ? context.functionVersion()
                              : "too long"));
                })
            .withTimeout(Duration.ofSeconds(5));

    assertThat(tester.invoke("a", "1").singleOutput().payloadAsString())
        .isEqualTo(FunctionTester.DEFAULT_VERSION);
    assertThat(tester.logs())
        .containsExactly(
            "DEBUG d 1 2", "WARN w x", "ERROR failed (java.lang.IllegalStateException: boom)");
  }
}
