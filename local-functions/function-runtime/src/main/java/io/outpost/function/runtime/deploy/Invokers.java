package io.outpost.function.runtime.deploy;

import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.invoke.FunctionInstance;
import io.outpost.function.runtime.invoke.Invoker;
import io.outpost.function.runtime.invoke.RuntimeServices;
import io.outpost.function.runtime.java.JavaInvoker;
import io.outpost.function.runtime.process.ProcessInvoker;
import io.outpost.function.runtime.wasm.WasmInvoker;

/** Picks the invoker for a version's {@code runtime:}; the one place that knows every runtime. */
final class Invokers {

  private Invokers() {}

  static Invoker create(FunctionPackage pkg, FunctionInstance instance, RuntimeServices services) {
    return switch (pkg.descriptor().runtime()) {
      case JAVA ->
          instance.spec().inChildProcess()
              ? new ProcessInvoker(pkg, instance, services)
              : new JavaInvoker(pkg, instance);
      case PROCESS -> new ProcessInvoker(pkg, instance, services);
      case WASM -> new WasmInvoker(pkg, instance, services);
    };
  }
}
