package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExportSection;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.descriptor.FunctionPackage;

/** Checks a wasm package without running it: the module parses, fits and exports {@code _start}. */
public final class WasmChecks {

  /** The WASI command entry point the runtime calls once per invocation. */
  static final String ENTRY = "_start";

  private WasmChecks() {}

  /**
   * @throws FunctionDeploymentException ("handler: why") when the module cannot be run
   */
  public static void check(FunctionPackage pkg, int maxPages) {
    WasmModule module = WasmModules.load(pkg, maxPages);
    ExportSection exports = module.exportSection();
    for (int i = 0; i < exports.exportCount(); i++) {
      if (ENTRY.equals(exports.getExport(i).name())) {
        return;
      }
    }
    throw new FunctionDeploymentException(
        "handler: "
            + pkg.descriptor().handler()
            + " exports no "
            + ENTRY
            + " function (build it as a WASI command, e.g. a main function for wasm32-wasi)");
  }
}
