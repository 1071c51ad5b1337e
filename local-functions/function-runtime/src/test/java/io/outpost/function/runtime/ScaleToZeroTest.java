package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outpost.function.runtime.testfunctions.Echo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * On-demand functions scale to zero after their idle time and start again on the next invocation,
 * losing nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScaleToZeroTest {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private FunctionState state(String name) {
    return f.runtime.get(name).orElseThrow().state();
  }

  @Test
  void wasmFunctionGoesIdleAndEveryMessageQueuedWhileItStartsIsServed() throws Exception {
    f.runtime.deploy(
        WasmRuntimeTest.wasmPackage(tmp, "scale", "scale.wasm", "idleTimeoutMillis: 200"));
    assertThat(f.invoke("scale", "devices/a/adc", "{\"raw\": 1}").outcome()).isEqualTo(Outcome.OK);

    await().atMost(RuntimeFixture.WAIT).until(() -> state("scale") == FunctionState.IDLE);
    List<CompletableFuture<InvocationResult>> burst = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      burst.add(
          f.runtime
              .invoke(
                  "scale", RuntimeFixture.message("devices/d" + i + "/adc", "{\"raw\": " + i + "}"))
              .toCompletableFuture());
    }

    for (CompletableFuture<InvocationResult> r : burst) {
      assertThat(r.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(f.host.published.stream().filter(m -> m.topic().endsWith("/scaled"))).hasSize(21);
    assertThat(state("scale")).isIn(FunctionState.RUNNING, FunctionState.IDLE);
    await().atMost(RuntimeFixture.WAIT).until(() -> state("scale") == FunctionState.IDLE);
  }

  @Test
  void javaFunctionReleasesItsClassLoaderWhenIdleAndLoadsItAgain() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("echo", "1", Echo.class, "idleTimeoutMillis: 150\n"),
            Echo.class));
    assertThat(f.invoke("echo", "in/echo/1", "one").outcome()).isEqualTo(Outcome.OK);

    await().atMost(RuntimeFixture.WAIT).until(() -> state("echo") == FunctionState.IDLE);
    InvocationResult woken = f.invoke("echo", "in/echo/2", "two");

    assertThat(woken.outcome()).isEqualTo(Outcome.OK);
    assertThat(woken.outputs()).isNotEmpty();
  }

  @Test
  void functionsWithoutAnIdleTimeNeverGoIdle() throws Exception {
    f.runtime.deploy(WasmRuntimeTest.wasmPackage(tmp, "scale", "scale.wasm", ""));
    assertThat(f.invoke("scale", "devices/a/adc", "{\"raw\": 1}").outcome()).isEqualTo(Outcome.OK);

    // the runtime default is 0 = never; nothing is scheduled, so the state is decided at once
    assertThat(f.runtime.get("scale").orElseThrow().state()).isEqualTo(FunctionState.RUNNING);
    assertThat(f.runtime.options().defaultIdleTimeoutMillis()).isZero();
  }

  @Test
  void daemonDefaultIdleTimeAppliesToOnDemandFunctionsOnly() throws Exception {
    f.close();
    f =
        new RuntimeFixture(
            tmp.resolve("functions2"),
            FunctionRuntimeOptions.defaults().withDefaultIdleTimeout(Duration.ofMillis(100)));
    f.runtime.deploy(WasmRuntimeTest.wasmPackage(tmp, "scale", "scale.wasm", ""));
    f.runtime.deploy(WasmRuntimeTest.wasmPackage(tmp, "held", "scale.wasm", "lifecycle: pinned"));

    await().atMost(RuntimeFixture.WAIT).until(() -> state("scale") == FunctionState.IDLE);
    assertThat(state("held")).isEqualTo(FunctionState.RUNNING);
  }

  @Test
  void reloadWithADefaultIdleTimeRestartsOnDemandFunctionsUnderIt() throws Exception {
    f.runtime.deploy(WasmRuntimeTest.wasmPackage(tmp, "scale", "scale.wasm", ""));
    f.runtime.deploy(WasmRuntimeTest.wasmPackage(tmp, "held", "scale.wasm", "lifecycle: pinned"));

    FunctionReconfiguration result =
        f.runtime.reconfigure(f.runtime.options().withDefaultIdleTimeout(Duration.ofMillis(100)));

    assertThat(result.restarted()).containsExactly("scale");
    await().atMost(RuntimeFixture.WAIT).until(() -> state("scale") == FunctionState.IDLE);
    assertThat(state("held")).isEqualTo(FunctionState.RUNNING);
  }

  @Test
  void reloadLoweringTheWasmPageCapBelowADeployedFunctionIsRefusedNamingTheKey() throws Exception {
    f.runtime.deploy(WasmRuntimeTest.wasmPackage(tmp, "scale", "scale.wasm", "maxMemoryPages: 64"));

    assertThatThrownBy(
            () -> f.runtime.reconfigure(f.runtime.options().withWasm(new WasmOptions(16, 32))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "maxMemoryPages: scale asks for 64 pages, more than the gateway allows");
    assertThat(f.invoke("scale", "devices/a/adc", "{\"raw\": 1}").outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void pinnedFunctionAskingToScaleToZeroIsRefused() throws Exception {
    Path pinned =
        WasmRuntimeTest.wasmPackage(
            tmp, "held", "scale.wasm", "lifecycle: pinned\nidleTimeoutMillis: 100");

    assertThatThrownBy(() -> f.runtime.deploy(pinned))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("idleTimeoutMillis: only on-demand functions scale to zero");
  }
}
