package io.outpost.function.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A started runtime over a temp dir with a recording host; close it in @AfterEach. */
final class RuntimeFixture implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(20);

  final Path functionsDir;
  final RecordingHost host = new RecordingHost();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final FunctionRuntime runtime;

  RuntimeFixture(Path functionsDir, FunctionRuntimeOptions options) throws Exception {
    this(functionsDir, options, Clock.systemUTC());
  }

  /** With the runtime's clock (back-offs of the BROKEN detector, idle times, timestamps). */
  RuntimeFixture(Path functionsDir, FunctionRuntimeOptions options, Clock clock) throws Exception {
    this.functionsDir = functionsDir;
    this.runtime = new FunctionRuntime(options, functionsDir, host, registry, clock);
    runtime.start().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  InvocationResult invoke(String function, String topic, String payload) throws Exception {
    return runtime
        .invoke(function, message(topic, payload))
        .toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  static InboundMessage message(String topic, String payload) {
    return new InboundMessage(
        topic, payload.getBytes(StandardCharsets.UTF_8), 1, List.of(), "device-1", Instant.now());
  }

  double count(String function, Outcome outcome) {
    return registry
        .get("outpost.function.invocations")
        .tag("function", function)
        .tag("outcome", outcome.tag())
        .counter()
        .count();
  }

  @Override
  public void close() {
    runtime.close();
  }
}
