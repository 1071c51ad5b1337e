package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;

/**
 * One module instance kept between invocations. Each {@link #run} re-initializes it the way
 * instantiation does (globals to their initial values, memory zeroed and back to its initial pages
 * with its data written again, element segments, the start function) and then runs {@code _start}
 * with the invocation's request on stdin and empty stdout and stderr, so an invocation sees what a
 * fresh instance would. What is saved is the rest of instantiation: linking the imports, creating
 * the compiled machine, allocating memory, building WASI. Used by one thread at a time.
 */
final class WarmInstance {

  /** Builds the WASI of an instance over its standard streams. */
  @FunctionalInterface
  interface WasiFactory {
    WasiPreview1 create(InputStream stdin, OutputStream stdout, OutputStream stderr);
  }

  private final Instance instance;
  private final PageLimitedMemory memory;
  private final WasiBinding binding;
  private final WasiFactory wasiFactory;
  private final RequestInput stdin;
  private final BoundedOutput stdout;
  private final BoundedOutput stderr;
  private WasiPreview1 wasi;

  private WarmInstance(
      Instance instance,
      PageLimitedMemory memory,
      WasiBinding binding,
      WasiFactory wasiFactory,
      RequestInput stdin,
      BoundedOutput stdout,
      BoundedOutput stderr,
      WasiPreview1 wasi) {
    this.instance = instance;
    this.memory = memory;
    this.binding = binding;
    this.wasiFactory = wasiFactory;
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
    this.wasi = wasi;
  }

  /** Links a new instance (not initialized yet) whose memory may not grow past {@code maxPages}. */
  static WarmInstance create(
      WasmModule module,
      Function<Instance, Machine> machines,
      int maxPages,
      WasiFactory wasiFactory) {
    RequestInput stdin = new RequestInput();
    BoundedOutput stdout = new BoundedOutput("stdout", 0);
    BoundedOutput stderr = new BoundedOutput("stderr", 0);
    WasiPreview1 wasi = wasiFactory.create(stdin, stdout, stderr);
    WasiBinding binding = new WasiBinding(wasi);
    PageLimitedMemory[] memory = new PageLimitedMemory[1];
    Instance instance =
        Instance.builder(module)
            .withImportValues(ImportValues.builder().addFunction(binding.imports()).build())
            .withMachineFactory(machines)
            .withMemoryFactory(
                limits -> memory[0] = new PageLimitedMemory(WasmModules.capped(limits, maxPages)))
            .withInitialize(false)
            .build();
    return new WarmInstance(instance, memory[0], binding, wasiFactory, stdin, stdout, stderr, wasi);
  }

  /**
   * Runs the module from its initial state on {@code request}, its stdout and stderr bounded by
   * {@code maxOutputBytes} each; throws what the module's run threw (a trap, an exit with a
   * non-zero code, an interrupt at the deadline).
   */
  void run(byte[] request, int maxOutputBytes) {
    if (binding.dirty()) {
      wasi.close();
      wasi = wasiFactory.create(stdin, stdout, stderr);
      binding.bind(wasi);
    }
    stdin.set(request);
    stdout.reset(maxOutputBytes);
    stderr.reset(maxOutputBytes);
    instance.initialize(true);
  }

  /** What the last run wrote to stdout. */
  String stdout() {
    return stdout.text();
  }

  /** What the last run wrote to stderr. */
  String stderr() {
    return stderr.text();
  }

  /** Whether the last run was refused memory because of the page limit. */
  boolean memoryLimitHit() {
    return memory != null && memory.limitHit();
  }

  /** Called before the instance waits in the pool: gives back the pages the last run grew. */
  void park() {
    if (memory != null) {
      memory.shrinkToInitial();
    }
  }
}
