package io.outpost.function.runtime.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Which modules may run on a warm instance. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WasmModulesTest {

  /**
   * A module whose one function drops a passive data segment ({@code data.drop 0}), written out by
   * hand: re-initializing an instance would not bring the segment back.
   */
  private static final byte[] DROPS_A_SEGMENT = {
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // magic, version 1
    0x01,
    0x04,
    0x01,
    0x60,
    0x00,
    0x00, // type section: () -> ()
    0x03,
    0x02,
    0x01,
    0x00, // function section: one function of type 0
    0x05,
    0x03,
    0x01,
    0x00,
    0x01, // memory section: one memory, 1 page
    0x0c,
    0x01,
    0x01, // data count: 1
    0x0a,
    0x07,
    0x01,
    0x05,
    0x00,
    (byte) 0xfc,
    0x09,
    0x00,
    0x0b, // code: data.drop 0; end
    0x0b,
    0x04,
    0x01,
    0x01,
    0x01,
    0x61 // data section: one passive segment "a"
  };

  static WasmModule resource(String name) throws Exception {
    try (InputStream in = WasmModulesTest.class.getResourceAsStream("/wasm/" + name)) {
      return Parser.parse(in.readAllBytes());
    }
  }

  @Test
  void modulesThatOnlyUseMemoryAndGlobalsAreReusable() throws Exception {
    assertThat(WasmModules.reusable(resource("noop.wasm"))).isTrue();
    assertThat(WasmModules.reusable(resource("scale.wasm"))).isTrue();
    assertThat(WasmModules.reusable(resource("state.wasm"))).isTrue();
  }

  @Test
  void aModuleThatDropsASegmentGetsAFreshInstanceEachTime() {
    assertThat(WasmModules.reusable(Parser.parse(DROPS_A_SEGMENT))).isFalse();
  }
}
