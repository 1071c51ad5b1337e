package io.outpost.function.runtime.deploy;

import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import io.outpost.function.runtime.descriptor.FunctionSpec;
import io.outpost.function.runtime.java.HandlerClasses;
import io.outpost.function.runtime.wasm.WasmChecks;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything that can be checked of a package without running it: the descriptor, the limits
 * against the daemon's caps, and per runtime the handler class (Java), the program (process) or the
 * module (wasm). Every problem is collected, so a developer fixes them all in one round.
 */
public final class PackageChecks {

  /** Script files whose interpreter is on the command line before them. */
  private static final Set<String> SCRIPTS = Set.of("py", "js", "mjs", "sh", "rb", "pl", "lua");

  private final List<String> problems = new ArrayList<>();
  private FunctionDescriptor descriptor;

  private PackageChecks() {}

  /** What was found: the descriptor (null when it could not be read) and every problem. */
  public record Result(FunctionDescriptor descriptor, List<String> problems) {}

  /** Checks the package at {@code jarOrDir} against {@code options} (caps, wasm page limit). */
  public static Result check(Path jarOrDir, FunctionRuntimeOptions options) {
    PackageChecks c = new PackageChecks();
    c.run(jarOrDir, options);
    return new Result(c.descriptor, List.copyOf(c.problems));
  }

  private void run(Path jarOrDir, FunctionRuntimeOptions options) {
    try {
      descriptor = FunctionPackage.readDescriptor(jarOrDir);
    } catch (FunctionDeploymentException e) {
      problems.addAll(e.problems());
      return;
    }
    FunctionSpec spec;
    try {
      spec = descriptor.resolve(options);
    } catch (IllegalArgumentException e) {
      problems.add(FunctionPackage.placeProblem(jarOrDir, e.getMessage()));
      spec = null;
    }
    FunctionPackage pkg = new FunctionPackage(descriptor, jarOrDir, !Files.isDirectory(jarOrDir));
    try {
      switch (descriptor.runtime()) {
        case JAVA -> HandlerClasses.check(jarOrDir, pkg.jar(), descriptor.handler());
        case PROCESS -> checkCommand(pkg);
        case WASM ->
            WasmChecks.check(
                pkg, spec != null ? spec.memoryPages() : options.wasm().defaultMemoryPages());
      }
    } catch (FunctionDeploymentException e) {
      problems.add(FunctionPackage.placeProblem(jarOrDir, e.getMessage()));
    } catch (IOException e) {
      problems.add("the package cannot be read: " + e.getMessage());
    }
  }

  private void checkCommand(FunctionPackage pkg) {
    if (pkg.jar()) {
      problems.add(
          FunctionPackage.placeProblem(
              pkg.location(),
              "runtime: a process function is deployed as a directory, not as a jar"));
      return;
    }
    List<String> command = descriptor.command();
    String program = command.get(0);
    String problem = programProblem(pkg.location(), program);
    if (problem != null) {
      problems.add(FunctionPackage.placeProblem(pkg.location(), "command: " + problem));
      return;
    }
    for (String arg : command.subList(1, command.size())) {
      int dot = arg.lastIndexOf('.');
      boolean script =
          !arg.startsWith("-")
              && dot > 0
              && SCRIPTS.contains(arg.substring(dot + 1).toLowerCase(Locale.ROOT));
      if (script && !Files.isRegularFile(pkg.location().resolve(arg))) {
        problems.add(
            FunctionPackage.placeProblem(
                pkg.location(), "command: " + arg + " is not a file in the package"));
      }
    }
  }

  /**
   * Why {@code program} cannot be started from the package directory, or null. A program with a
   * slash is a file of the package; a bare name is looked up on PATH, as the runtime starts it.
   */
  static String programProblem(Path packageDir, String program) {
    if (program.contains("/")) {
      Path file = packageDir.resolve(program).normalize();
      if (!Files.isRegularFile(file)) {
        return program + " is not a file in the package";
      }
      if (!Files.isExecutable(file)) {
        return program
            + " is not executable (chmod +x it; the execute bit travels with the package)";
      }
      return null;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
          return null;
        }
      }
    }
    if (Files.isRegularFile(packageDir.resolve(program))) {
      return program + " is not on PATH; to run the package's own file, write ./" + program;
    }
    return program + " is not on PATH (install it, or ship the program in the package)";
  }
}
