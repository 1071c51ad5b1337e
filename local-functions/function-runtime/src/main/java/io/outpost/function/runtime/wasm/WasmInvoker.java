package io.outpost.function.runtime.wasm;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.log.SystemLogger;
import com.dylibso.chicory.runtime.ChicoryInterruptedException;
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
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs a WebAssembly module (WASI preview 1) on Chicory, inside the daemon, fed the process
 * runtime's request line on stdin; its stdout holds the result line. Two limits keep a module from
 * hurting the gateway: linear memory cannot grow past the function's page limit ({@link
 * PageLimitedMemory}), and the invocation timeout interrupts the worker, which the code Chicory
 * compiled the module to checks as it runs (so a module spinning in a loop stops). Either hit is
 * logged, counted in {@code outpost_function_limit_hits_total{function,limit}} and fails the
 * invocation, which then counts towards ERRORED/BROKEN like any failure.
 *
 * <p>Speed: the module is parsed and compiled to JVM bytecode once per deployed version, at deploy,
 * and kept while the version lives. Instances are kept warm between invocations ({@link
 * InstancePool}, at most one per worker) and re-initialized before each one ({@link WarmInstance}):
 * globals, memory (zeroed, back to its initial pages, data written again), the start function, the
 * standard streams and WASI's descriptor table are as a new instance would have them, so no state
 * carries over from one invocation to the next. A module whose code changes tables or drops
 * segments, which re-initializing does not undo, gets a new instance per invocation instead. An
 * instance that trapped, exited with a non-zero code, hit its page limit or was stopped at its
 * deadline is discarded, never reused.
 *
 * <p>Scale to zero ({@link #suspend()}) drops the warm instances and their memory; the compiled
 * code stays, so the next invocation only creates an instance (recompiling is what made a cold
 * start slow).
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
  private final InstancePool pool;
  private volatile Loaded module;

  /**
   * A parsed module, the JVM bytecode Chicory compiled it to (shared by every instance of this
   * version) and whether its instances may be reused.
   */
  private record Loaded(
      WasmModule module, Function<Instance, Machine> machines, boolean reusable) {}

  public WasmInvoker(FunctionPackage pkg, FunctionInstance instance, RuntimeServices services) {
    this.pkg = pkg;
    this.instance = instance;
    this.services = services;
    this.spec = instance.spec();
    this.pool = new InstancePool(spec.maxConcurrency());
  }

  /**
   * Parses, compiles and links the module, so a bad package fails its deploy rather than its first
   * invocation; the linked instance waits for the first invocation.
   */
  @Override
  public void start() {
    Loaded m = load();
    WarmInstance first = link(m);
    module = m;
    if (m.reusable()) {
      pool.give(first);
    }
  }

  @Override
  public List<OutboundMessage> invoke(Invocation inv, InvocationContext ctx) throws Exception {
    Loaded m = loaded();
    byte[] request =
        ProcessProtocol.request(ids.incrementAndGet(), inv, ctx, spec, instance.mapper());
    WarmInstance warm = m.reusable() ? pool.take() : null;
    if (warm == null) {
      warm = link(m);
    }
    boolean finished = false;
    int exitCode = 0;
    RuntimeException trap = null;
    try {
      warm.run(request, services.options().maxProcessLineBytes());
      finished = true;
    } catch (WasiExitException e) {
      exitCode = e.exitCode();
    } catch (ChicoryInterruptedException e) {
      throw new InterruptedException("stopped at its deadline");
    } catch (ChicoryException | IllegalStateException e) {
      trap = e;
    } finally {
      logStderr(warm.stderr(), inv.id);
    }
    // read before the instance goes back to the pool, where another worker may take it at once
    String stdout = warm.stdout();
    // read before the instance goes back to the pool, where another worker may take it at once
    boolean limitHit = warm.memoryLimitHit();
    if (finished && !limitHit && m.reusable()) {
      pool.give(warm);
    }
    if (limitHit) {
      memoryLimitHit();
    }
    if (trap != null) {
      throw new WasmFunctionException("module trapped: " + trap.getMessage());
    }
    if (exitCode != 0) {
      throw new WasmFunctionException("module exited with code " + exitCode);
    }
    return ProcessProtocol.outputs(result(stdout), spec.name(), instance.mapper());
  }

  /**
   * The watchdog will interrupt the worker; the compiled module checks the interrupt and stops. The
   * timeout itself is logged and counted as a limit hit where every runtime's timeouts are ({@code
   * FunctionInstance}).
   */
  @Override
  public void timedOut() {
    instance.logger().debug("function {}: stopping the module at its deadline", spec.name());
  }

  /** Scale to zero: drops the warm instances; the compiled module stays for a fast start. */
  @Override
  public void suspend() {
    pool.clear();
  }

  @Override
  public void close() {
    pool.close();
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
    boolean reusable = WasmModules.reusable(parsed);
    if (!reusable) {
      instance
          .logger()
          .info(
              "{} changes tables or drops segments: a new instance runs each invocation",
              pkg.descriptor().handler());
    }
    try {
      return new Loaded(parsed, MachineFactoryCompiler.compile(parsed), reusable);
    } catch (ChicoryException e) {
      throw new FunctionDeploymentException(
          "handler: " + pkg.descriptor().handler() + " cannot be compiled: " + e.getMessage(), e);
    }
  }

  /** A new instance of the module, linked against WASI preview 1 but not initialized. */
  private WarmInstance link(Loaded m) {
    try {
      return WarmInstance.create(m.module(), m.machines(), spec.memoryPages(), this::wasi);
    } catch (ChicoryException e) {
      throw new FunctionDeploymentException(
          "handler: "
              + pkg.descriptor().handler()
              + " cannot be linked "
              + "(the wasm runtime provides WASI preview 1 only): "
              + e.getMessage(),
          e);
    }
  }

  /** Logs and counts the hit, then fails the invocation. */
  private void memoryLimitHit() {
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

  private JsonNode result(String stdout) {
    for (String line : stdout.split("\n")) {
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

  private void logStderr(String text, String invocationId) {
    if (!text.isEmpty()) {
      text.lines().forEach(l -> instance.output(LogSource.STDERR, "INFO", invocationId, l));
    }
  }

  private WasiPreview1 wasi(InputStream stdin, OutputStream stdout, OutputStream stderr) {
    WasiOptions.Builder options =
        WasiOptions.builder()
            .withStdin(stdin)
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
