package io.outpost.function.runtime.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Warm instances: re-run from their initial state, and pooled within a bound. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InstancePoolTest {

  static WasmModule module;
  static Function<Instance, Machine> machines;

  @BeforeAll
  static void compile() throws Exception {
    module = WasmModulesTest.resource("state.wasm");
    machines = MachineFactoryCompiler.compile(module);
  }

  private static WarmInstance warm() {
    return WarmInstance.create(
        module,
        machines,
        16,
        (in, out, err) ->
            WasiPreview1.builder()
                .withOptions(
                    WasiOptions.builder().withStdin(in).withStdout(out).withStderr(err).build())
                .build());
  }

  private static String run(WarmInstance w, String stdin) {
    w.run(stdin.getBytes(StandardCharsets.UTF_8), 4096);
    return w.stdout();
  }

  @Test
  void aWarmInstanceRunsAgainFromItsInitialStateWithTheNewInvocationsStreams() {
    WarmInstance w = warm();

    String first = run(w, "{}");
    w.park();
    String second = run(w, "{}");

    assertThat(first).contains("\"calls\":1,").contains("\"mark\":0}");
    assertThat(second).isEqualTo(first);
    assertThat(w.memoryLimitHit()).isFalse();
  }

  @Test
  void keepsAtMostItsBoundOfIdleInstancesAndHandsOutTheLastOneFirst() {
    InstancePool pool = new InstancePool(2);
    WarmInstance a = warm();
    WarmInstance b = warm();
    WarmInstance c = warm();

    pool.give(a);
    pool.give(b);
    pool.give(c);

    assertThat(pool.size()).isEqualTo(2);
    assertThat(pool.take()).isSameAs(b);
    assertThat(pool.take()).isSameAs(a);
    assertThat(pool.take()).isNull();
  }

  @Test
  void clearDropsIdleInstancesAndAClosedPoolKeepsNone() {
    InstancePool pool = new InstancePool(4);
    pool.give(warm());
    pool.give(warm());

    pool.clear();
    assertThat(pool.size()).isZero();
    pool.give(warm());
    assertThat(pool.size()).isEqualTo(1);

    pool.close();
    pool.give(warm());
    assertThat(pool.size()).isZero();
    assertThat(pool.take()).isNull();
  }
}
