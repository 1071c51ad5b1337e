package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.OpCode;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads and checks a package's module file: present, inside the package, valid WebAssembly, fits
 * its page limit.
 */
final class WasmModules {

  /**
   * Instructions whose effect re-initializing an instance does not undo: they change a table, or
   * drop a data or element segment, and Chicory resets neither tables nor dropped segments.
   */
  private static final Set<OpCode> NOT_RESET =
      EnumSet.of(
          OpCode.TABLE_SET,
          OpCode.TABLE_GROW,
          OpCode.TABLE_FILL,
          OpCode.TABLE_COPY,
          OpCode.TABLE_INIT,
          OpCode.ELEM_DROP,
          OpCode.DATA_DROP);

  private WasmModules() {}

  /**
   * Whether an instance of {@code module} can be reused across invocations: re-initializing it
   * resets globals and memory (zeroed, data segments written again, grown pages dropped), but not
   * tables or dropped segments, so a module with an instruction that changes those gets a fresh
   * instance per invocation.
   */
  static boolean reusable(WasmModule module) {
    for (FunctionBody body : module.codeSection().functionBodies()) {
      for (Instruction ins : body.instructions()) {
        if (NOT_RESET.contains(ins.opcode())) {
          return false;
        }
      }
    }
    return true;
  }

  static WasmModule load(FunctionPackage pkg, int maxPages) {
    String handler = pkg.descriptor().handler();
    if (pkg.jar()) {
      throw new FunctionDeploymentException(
          "runtime: wasm functions are deployed as a directory (with "
              + handler
              + " in it), not as a jar");
    }
    Path file = pkg.location().resolve(handler).normalize();
    if (!file.startsWith(pkg.location().normalize()) || !Files.isRegularFile(file)) {
      throw new FunctionDeploymentException(
          "handler: " + handler + " is not a file in the package");
    }
    WasmModule module;
    try {
      module = Parser.parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new FunctionDeploymentException(
          "handler: cannot read " + handler + ": " + e.getMessage(), e);
    } catch (ChicoryException e) {
      throw new FunctionDeploymentException(
          "handler: " + handler + " is not a valid WebAssembly module: " + e.getMessage(), e);
    }
    int initial =
        module
            .memorySection()
            .filter(s -> s.memoryCount() > 0)
            .map(s -> s.getMemory(0).limits().initialPages())
            .orElse(0);
    if (initial > maxPages) {
      throw new FunctionDeploymentException(
          "maxMemoryPages: "
              + handler
              + " needs "
              + initial
              + " pages at start, more than its limit of "
              + maxPages);
    }
    return module;
  }

  /** The module's declared limits, with the maximum lowered to the function's page limit. */
  static MemoryLimits capped(MemoryLimits declared, int maxPages) {
    int max = Math.min(declared.maximumPages(), maxPages);
    return new MemoryLimits(Math.min(declared.initialPages(), max), max);
  }
}
