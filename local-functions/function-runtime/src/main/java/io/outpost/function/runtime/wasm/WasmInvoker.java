package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.log.SystemLogger;
import com.dylibso.chicory.runtime.ByteBufferMemory;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.WasmModule;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.LogSource;
import io.outpost.function.runtime.OutboundMessage;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.Invocation;
import io.outpost.function.runtime.invoke.InvocationContext;
import io.outpost.function.runtime.invoke.Invoker;
import io.outpost.function.runtime.invoke.RuntimeServices;
import io.outpost.function.runtime.process.ProcessProtocol;
import io.outpost.function.runtime.sandbox.LimitKind;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs a WebAssembly module (WASI preview 1) on Chicory, inside the daemon: a fresh instance per
 * invocation, fed the process runtime's request line on stdin; its stdout holds the result line.
 * Two limits keep a module from hurting the gateway: linear memory cannot grow past the function's
 * page limit ({@link PageLimitedMemory}), and the invocation timeout interrupts the worker, which
 * the code Chicory compiled the module to checks as it runs (so a module spinning in a loop stops).
 * Either hit is logged, counted in {@code outpost_function_limit_hits_total{function,limit}} and
 * fails the invocation, which then counts towards ERRORED/BROKEN like any failure.
 *
 * <p>The module is parsed and compiled to JVM bytecode once per version start; {@link #suspend()}
 * (scale to zero) drops both and the next invocation parses and compiles it again.
 */
public final class WasmInvoker implements Invoker {

  /**
   * Given explicitly: without one, every WasiPreview1 build probes for Android with a failing
   * Class.forName.
   */
  private static final Logger WASI_LOGGER = new SystemLogger();

  private final FunctionPackage pkg;
  private final FunctionInstance instance;
  private final RuntimeServices services;
  private final FunctionSpec spec;
  private final AtomicLong ids = new AtomicLong();
  private volatile Loaded module;

  /**
   * A parsed module and the JVM bytecode Chicory compiled it to, shared by every instance of this
   * version.
   */
  private record Loaded(WasmModule module, Function<Instance, Machine> machines) {}

  public WasmInvoker(FunctionPackage pkg, FunctionInstance instance, RuntimeServices services) {
    this.pkg = pkg;
    this.instance = instance;
    this.services = services;
    this.spec = instance.spec();
  }

  /**
   * Parses and links the module once, so a bad package fails its deploy rather than its first
   * invocation.
   */
  @Override
  public void start() {
    Loaded m = load();
    try (WasiPreview1 wasi =
        wasi(new byte[0], new BoundedOutput("stdout", 1), new BoundedOutput("stderr", 1))) {
      Instance.builder(m.module())
          .withImportValues(imports(wasi))
          .withMachineFactory(m.machines())
          .withStart(false)
          .build();
    } catch (ChicoryException e) {
      throw new FunctionDeploymentException(
          "handler: "
              + pkg.descriptor().handler()
              + " cannot be linked "
              + "(the wasm runtime provides WASI preview 1 only): "
              + e.getMessage(),
          e);
    }
    module = m;
  }

  @Override
  public List<OutboundMessage> invoke(Invocation inv, InvocationContext ctx) throws Exception {
    Loaded m = loaded();
    byte[] request =
        ProcessProtocol.request(ids.incrementAndGet(), inv, ctx, spec, instance.mapper());
    int maxBytes = services.options().maxProcessLineBytes();
    BoundedOutput stdout = new BoundedOutput("stdout", maxBytes);
    BoundedOutput stderr = new BoundedOutput("stderr", maxBytes);
    PageLimitedMemory[] memory = new PageLimitedMemory[1];
    int exitCode = 0;
    try (WasiPreview1 wasi = wasi(request, stdout, stderr)) {
      Instance.builder(m.module())
          .withImportValues(imports(wasi))
          .withMachineFactory(m.machines())
          .withMemoryFactory(
              limits ->
                  memory[0] =
                      new PageLimitedMemory(
                          new ByteBufferMemory(WasmModules.capped(limits, spec.memoryPages()))))
          .build(); // runs _start
    } catch (WasiExitException e) {
      exitCode = e.exitCode();
    } catch (ChicoryInterruptedException e) {
      throw new InterruptedException("stopped at its deadline");
    } catch (ChicoryException | IllegalStateException e) {
      checkMemory(memory[0]);
      throw new WasmFunctionException("module trapped: " + e.getMessage());
    } finally {
      logStderr(stderr, inv.id);
    }
    checkMemory(memory[0]);
    if (exitCode != 0) {
      throw new WasmFunctionException("module exited with code " + exitCode);
    }
    return ProcessProtocol.outputs(result(stdout), spec.name(), instance.mapper());
  }

  /**
   * The watchdog will interrupt the worker; Chicory's interpreter sees that and stops the module.
   * The timeout itself is logged and counted as a limit hit where every runtime's timeouts are
   * ({@code FunctionInstance}).
   */
  @Override
  public void timedOut() {
    instance.logger().debug("function {}: stopping the module at its deadline", spec.name());
  }

  @Override
  public void suspend() {
    module = null;
  }

  @Override
  public void close() {
    module = null;
  }

  private Loaded loaded() {
    Loaded m = module;
    if (m == null) {
      synchronized (this) {
        m = module;
        if (m == null) {
          m = load();
          module = m;
        }
      }
    }
    return m;
  }

  /**
   * Parses and compiles the module; compiled code checks the thread's interrupt like the
   * interpreter does.
   */
  private Loaded load() {
    WasmModule parsed = WasmModules.load(pkg, spec.memoryPages());
    try {
      return new Loaded(parsed, MachineFactoryCompiler.compile(parsed));
    } catch (ChicoryException e) {
      throw new FunctionDeploymentException(
          "handler: " + pkg.descriptor().handler() + " cannot be compiled: " + e.getMessage(), e);
    }
  }

  private void checkMemory(PageLimitedMemory memory) {
    if (memory != null && memory.limitHit()) {
      services
          .limitHits()
          .hit(
              spec.name(),
              LimitKind.MEMORY,
              "linear memory may not grow past "
                  + spec.memoryPages()
                  + " pages ("
                  + spec.memoryPages() * 64L
                  + " KiB)");
      throw new WasmFunctionException(
          "memory limit reached: " + spec.memoryPages() + " pages of 64 KiB (maxMemoryPages)");
    }
  }

  private JsonNode result(BoundedOutput stdout) {
    for (String line : stdout.text().split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("{")) {
        try {
          return instance.mapper().readTree(trimmed);
        } catch (JsonProcessingException e) {
          instance
              .logger()
              .warn("protocol: ignoring a stdout line that is not JSON: {}", abbreviate(trimmed));
        }
      } else if (!trimmed.isEmpty()) {
        instance
            .logger()
            .warn("protocol: ignoring a stdout line that is not JSON: {}", abbreviate(trimmed));
      }
    }
    throw new WasmFunctionException("protocol: the module wrote no result line on stdout");
  }

  private void logStderr(BoundedOutput stderr, String invocationId) {
    String text = stderr.text();
    if (!text.isEmpty()) {
      text.lines().forEach(l -> instance.output(LogSource.STDERR, "INFO", invocationId, l));
    }
  }

  private WasiPreview1 wasi(byte[] stdin, BoundedOutput stdout, BoundedOutput stderr) {
    WasiOptions.Builder options =
        WasiOptions.builder()
            .withStdin(new ByteArrayInputStream(stdin))
            .withStdout(stdout)
            .withStderr(stderr)
            .withThrowOnExit0(false)
            .withArguments(List.of(spec.name()))
            .withEnvironment("OUTPOST_FUNCTION_NAME", spec.name())
            .withEnvironment("OUTPOST_FUNCTION_VERSION", spec.version());
    for (Map.Entry<String, String> e : spec.environment().entrySet()) {
      options.withEnvironment(e.getKey(), e.getValue());
    }
    return WasiPreview1.builder().withLogger(WASI_LOGGER).withOptions(options.build()).build();
  }

  private static ImportValues imports(WasiPreview1 wasi) {
    return ImportValues.builder().addFunction(wasi.toHostFunctions()).build();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  /**
   * A failure of a wasm function: a trap, a non-zero exit, a limit, or a missing or malformed
   * result.
   */
  static final class WasmFunctionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WasmFunctionException(String message) {
      super(message);
    }
  }
}
