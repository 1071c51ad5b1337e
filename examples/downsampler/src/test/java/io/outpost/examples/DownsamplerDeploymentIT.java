package io.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.OutboundMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploys the built jar as-is and checks that, pinned, it keeps its windows across invocations. */
class DownsamplerDeploymentIT {

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

  @Test
  void builtJarDeploysPinnedAndSummarisesClosedWindows() throws Exception {
    FunctionInfo info = runtime.deploy(Path.of("target/downsampler.jar"));
    assertThat(info.lifecycle()).isEqualTo(Lifecycle.PINNED);

    for (String at :
        List.of("2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z", "2026-01-01T00:00:11Z")) {
      runtime
          .invoke(
              "downsampler",
              InboundMessage.of("sensors/s1/temperature", "{\"celsius\": 20}", Instant.parse(at)))
          .toCompletableFuture()
          .get(20, TimeUnit.SECONDS);
    }

    assertThat(published)
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.topic()).isEqualTo("downsampled/s1/temperature");
              assertThat(m.payloadAsString()).contains("\"count\":2", "\"avg\":20.0");
            });
  }
}
