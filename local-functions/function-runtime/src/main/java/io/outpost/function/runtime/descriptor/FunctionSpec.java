package io.outpost.function.runtime.descriptor;

import io.outpost.function.runtime.OverflowPolicy;
import io.outpost.function.runtime.RuntimeKind;
import io.outpost.function.runtime.sandbox.Isolation;
import io.outpost.function.runtime.sandbox.ResolvedLimits;
import java.time.Duration;
import java.util.Map;

/**
 * A descriptor with operator overrides and runtime defaults applied: what one running version
 * actually runs with. Two specs are equal when a running version would behave the same under
 * either.
 *
 * <p>{@code idleTimeout} is zero when the version never scales to zero; {@code memoryPages} is the
 * wasm page limit (zero for other runtimes). {@code isolation} is {@code process} for every runtime
 * but an {@code in-process} Java function.
 */
public record FunctionSpec(
    FunctionDescriptor descriptor,
    Duration timeout,
    int maxConcurrency,
    int maxQueued,
    OverflowPolicy overflow,
    Map<String, String> environment,
    Duration idleTimeout,
    int memoryPages,
    ResolvedLimits limits,
    Isolation isolation) {

  public FunctionSpec {
    environment = Map.copyOf(environment);
  }

  public String name() {
    return descriptor.name();
  }

  /**
   * Whether this version runs in a child process (a process function, or a process-isolated Java
   * one; never wasm).
   */
  public boolean inChildProcess() {
    return isolation == Isolation.PROCESS && descriptor.runtime() != RuntimeKind.WASM;
  }

  public String version() {
    return descriptor.version();
  }
}
