package io.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.Outcome;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys the built jar as-is (and the Python example directory) into a real runtime, and chains
 * them the way the daemon would: the Python function's output is the threshold alert's input.
 */
class ThresholdAlertDeploymentIT {

  @TempDir Path tmp;
  final List<OutboundMessage> published = new CopyOnWriteArrayList<>();
  FunctionRuntime runtime;

  @BeforeEach
  void start() throws Exception {
    runtime =
        new FunctionRuntime(
            FunctionRuntimeOptions.defaults(),
            tmp.resolve("functions"),
            m -> {
              published.add(m);
              return CompletableFuture.completedFuture(null);
            },
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    runtime.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    runtime.close();
  }

  private InvocationResult invoke(String function, String topic, String payload) throws Exception {
    return runtime
        .invoke(function, InboundMessage.of(topic, payload, Instant.now()))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void builtJarAndPythonExampleDeployAndChain() throws Exception {
    FunctionInfo alert = runtime.deploy(Path.of("target/threshold-alert.jar"));
    FunctionInfo python = runtime.deploy(Path.of("../python-celsius"));
    assertThat(alert.triggers()).containsExactly("sensors/+/temperature");
    assertThat(python.triggers()).containsExactly("sensors/+/fahrenheit");

    // The first invocation also waits for Python to start; on a loaded machine that can exceed the
    // timeout.
    InvocationResult[] last = new InvocationResult[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              last[0] =
                  invoke("fahrenheit-to-celsius", "sensors/s7/fahrenheit", "{\"fahrenheit\": 95}");
              return last[0].outcome() != Outcome.TIMEOUT;
            });
    InvocationResult converted = last[0];
    assertThat(converted.outcome()).isEqualTo(Outcome.OK);
    OutboundMessage celsius = converted.outputs().get(0);
    assertThat(celsius.topic()).isEqualTo("sensors/s7/temperature");
    assertThat(celsius.payloadAsString()).isEqualTo("{\"celsius\":35.0}");

    InvocationResult alerted =
        invoke("threshold-alert", celsius.topic(), celsius.payloadAsString());
    assertThat(alerted.outputs())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.topic()).isEqualTo("alerts/s7/temperature");
              assertThat(m.payloadAsString()).contains("\"celsius\":35.0");
            });
    assertThat(invoke("fahrenheit-to-celsius", "sensors/s7/fahrenheit", "{}").error())
        .contains("bad reading");
  }
}
