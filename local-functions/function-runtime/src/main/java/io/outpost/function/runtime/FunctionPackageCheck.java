package io.outpost.function.runtime;

import io.outpost.function.runtime.deploy.PackageChecks;
import java.nio.file.Path;
import java.util.List;

/**
 * A function package checked without a daemon ({@code outpost functions validate}): its descriptor,
 * its limits against the caps, and what its runtime needs (a loadable Java handler, an executable
 * program, a WebAssembly module with an entry point).
 *
 * @param name the function's name, or null when the descriptor could not be read
 * @param version its version, or null likewise
 * @param problems every problem, one line each ({@code outpost-function.yaml:LINE: key: message}
 *     where it is tied to a key); empty when the package is good
 */
public record FunctionPackageCheck(String name, String version, List<String> problems) {

  /**
   * Checks a JAR or directory package.
   *
   * @param jarOrDir the package
   * @param options the daemon's function options (caps on limits, wasm page limits)
   */
  public static FunctionPackageCheck of(Path jarOrDir, FunctionRuntimeOptions options) {
    PackageChecks.Result r = PackageChecks.check(jarOrDir, options);
    return new FunctionPackageCheck(
        r.descriptor() == null ? null : r.descriptor().name(),
        r.descriptor() == null ? null : r.descriptor().version(),
        r.problems());
  }

  /** True when nothing is wrong. */
  public boolean ok() {
    return problems.isEmpty();
  }
}
