package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import java.io.InputStream;
import java.nio.file.Files;
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
 * The wasm runtime on Chicory with real modules built from AssemblyScript ({@code
 * examples/wasm-scale/build.sh}): the request/response contract, the execution deadline and the
 * memory-page limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WasmRuntimeTest {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults().withBroken(10, Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /**
   * A directory package holding {@code module} (from the test resources) and a descriptor with
   * {@code extra}.
   */
  static Path wasmPackage(Path tmp, String name, String module, String extra) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkg-" + name + "-" + System.nanoTime()));
    try (InputStream in = WasmRuntimeTest.class.getResourceAsStream("/wasm/" + module)) {
      Files.copy(in, dir.resolve(module));
    }
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        String.join(
            "\n",
            "name: " + name,
            "version: 1",
            "runtime: wasm",
            "handler: " + module,
            "triggers: [in/" + name + "]",
            extra,
            ""));
    return dir;
  }

  private double limitHits(String function, String limit) {
    var counter =
        f.registry
            .find("outpost.function.limit.hits")
            .tag("function", function)
            .tag("limit", limit)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void moduleReadsTheRequestOnStdinAndItsStdoutLineIsPublished() throws Exception {
    f.runtime.deploy(
        wasmPackage(tmp, "scale", "scale.wasm", "environment: {SCALE: '0.5', OFFSET: '1'}"));

    InvocationResult ok = f.invoke("scale", "devices/d7/adc", "{\"raw\": 512}");
    InvocationResult bad = f.invoke("scale", "devices/d7/adc", "{\"volts\": 3}");

    assertThat(ok.outcome()).isEqualTo(Outcome.OK);
    assertThat(ok.outputs())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.topic()).isEqualTo("devices/d7/scaled");
              assertThat(m.payloadAsString()).isEqualTo("{\"value\":257.0}");
            });
    assertThat(f.host.on("devices/d7/scaled")).hasSize(1);
    assertThat(bad.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(bad.error()).contains("expected {\"raw\": <number>}");
    assertThat(f.runtime.get("scale").orElseThrow().runtime()).isEqualTo(RuntimeKind.WASM);
  }

  @Test
  void moduleSpinningForeverIsStoppedAtItsDeadlineAndOthersKeepRunning() throws Exception {
    f.runtime.deploy(
        wasmPackage(tmp, "spin", "spin.wasm", "timeoutMillis: 300\ninputEncoding: binary"));
    f.runtime.deploy(wasmPackage(tmp, "scale", "scale.wasm", ""));

    InvocationResult stuck = f.invoke("spin", "in/spin", "x");

    assertThat(stuck.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(limitHits("spin", "timeout")).isEqualTo(1.0);
    assertThat(f.runtime.get("spin").orElseThrow().state()).isEqualTo(FunctionState.ERRORED);
    // the interpreter noticed the interrupt: no handler thread is left spinning
    await()
        .atMost(RuntimeFixture.WAIT)
        .until(
            () ->
                f.registry
                        .get("outpost.function.abandoned.threads")
                        .tag("function", "spin")
                        .gauge()
                        .value()
                    == 0.0);
    assertThat(f.invoke("scale", "devices/d1/adc", "{\"raw\": 2}").outcome()).isEqualTo(Outcome.OK);
    assertThat(f.invoke("spin", "in/spin", "x").outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(limitHits("spin", "timeout")).isEqualTo(2.0);
  }

  @Test
  void moduleGrowingItsMemoryIsStoppedAtItsPageLimit() throws Exception {
    f.runtime.deploy(
        wasmPackage(tmp, "hog", "hog.wasm", "maxMemoryPages: 8\ninputEncoding: binary"));

    InvocationResult result = f.invoke("hog", "in/hog", "x");

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(result.error()).contains("memory limit reached: 8 pages");
    assertThat(limitHits("hog", "memory")).isEqualTo(1.0);
    assertThat(f.runtime.get("hog").orElseThrow().state()).isEqualTo(FunctionState.ERRORED);
  }

  @Test
  void everyInvocationOfAWarmInstanceStartsFromTheModulesInitialState() throws Exception {
    // state.wasm counts calls in a global, grows a page and marks it: carried-over state would show
    f.runtime.deploy(wasmPackage(tmp, "state", "state.wasm", "maxMemoryPages: 8"));

    List<String> payloads = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      InvocationResult r = f.invoke("state", "in/state", "{\"n\": " + i + "}");
      assertThat(r.outcome()).as(r.toString()).isEqualTo(Outcome.OK);
      payloads.add(r.outputs().get(0).payloadAsString());
    }

    assertThat(payloads.get(0)).contains("\"calls\":1,").contains("\"mark\":0}");
    assertThat(payloads).containsOnly(payloads.get(0));
    assertThat(limitHits("state", "memory")).isZero();
  }

  @Test
  void anInstanceThatTrappedIsDiscardedAndTheNextInvocationRunsOnACleanOne() throws Exception {
    f.runtime.deploy(wasmPackage(tmp, "state", "state.wasm", ""));
    String clean = f.invoke("state", "in/state", "{}").outputs().get(0).payloadAsString();

    InvocationResult trapped = f.invoke("state", "in/state", "{\"do\": \"trap\"}");
    InvocationResult next = f.invoke("state", "in/state", "{}");

    assertThat(trapped.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(trapped.error()).contains("module trapped");
    assertThat(next.outcome()).isEqualTo(Outcome.OK);
    assertThat(next.outputs().get(0).payloadAsString()).isEqualTo(clean);
  }

  @Test
  void concurrentInvocationsEachGetTheirOwnInstance() throws Exception {
    f.runtime.deploy(wasmPackage(tmp, "state", "state.wasm", "maxConcurrency: 4\nmaxQueued: 1000"));
    String clean = f.invoke("state", "in/state", "{}").outputs().get(0).payloadAsString();

    List<CompletableFuture<InvocationResult>> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      all.add(
          f.runtime
              .invoke("state", RuntimeFixture.message("in/state", "{}"))
              .toCompletableFuture());
    }

    for (CompletableFuture<InvocationResult> r : all) {
      InvocationResult result = r.get(RuntimeFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(result.outcome()).as(result.toString()).isEqualTo(Outcome.OK);
      assertThat(result.outputs().get(0).payloadAsString()).isEqualTo(clean);
    }
  }

  @Test
  void echoModuleRepublishesThePayloadBytesUnchanged() throws Exception {
    f.runtime.deploy(wasmPackage(tmp, "echo", "echo.wasm", "inputEncoding: binary"));

    InvocationResult first = f.invoke("echo", "bench/in/dev-1", "{\"seq\":1,\"ts\":17}");
    InvocationResult second = f.invoke("echo", "bench/in/dev-2", "{\"seq\":2}");

    assertThat(first.outputs())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.topic()).isEqualTo("bench/out/dev-1");
              assertThat(m.payloadAsString()).isEqualTo("{\"seq\":1,\"ts\":17}");
            });
    assertThat(second.outputs().get(0).topic()).isEqualTo("bench/out/dev-2");
    assertThat(second.outputs().get(0).payloadAsString()).isEqualTo("{\"seq\":2}");
  }

  @Test
  void deployRefusesMorePagesThanTheGatewayAllows() throws Exception {
    Path greedy = wasmPackage(tmp, "greedy", "scale.wasm", "maxMemoryPages: 5000");

    assertThatThrownBy(() -> f.runtime.deploy(greedy))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining(
            "maxMemoryPages: greedy asks for 5000 pages, more than the gateway allows")
        .hasMessageContaining("functions.wasm.maxMemoryPages: 1024");
    assertThat(f.runtime.list()).isEmpty();
  }

  @Test
  void deployRefusesAFileThatIsNotWebAssembly() throws Exception {
    Path dir = wasmPackage(tmp, "junk", "scale.wasm", "");
    Files.writeString(dir.resolve("scale.wasm"), "not wasm");

    assertThatThrownBy(() -> f.runtime.deploy(dir))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("handler: scale.wasm is not a valid WebAssembly module");
  }
}
