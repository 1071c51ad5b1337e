package io.outpost.gateway.cli;

import io.outpost.function.runtime.FunctionPackageCheck;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.admin.Upload;
import io.outpost.gateway.config.AdminConfig;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost functions validate PATH}: checks a function package on the developer's machine,
 * without a daemon, as a deploy would: the descriptor (every problem at its line), the limits
 * against the caps, and what the runtime needs to start it.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check a function package (directory, jar or zip) without a daemon. Prints OK NAME VERSION and"
            + " exits 0, or prints every problem (outpost-function.yaml:LINE: key: message) and exits 65.")
final class FunctionsValidateCommand implements Callable<Integer> {

  @Parameters(paramLabel = "PATH", description = "The package: a directory, a jar or a zip.")
  Path source;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "Check limits against this daemon configuration's caps (functions.limits) instead of the"
              + " defaults.")
  Path config;

  @Spec CommandSpec spec;

  /** A zip is unpacked within the admin API's default bounds, as a deploy would be. */
  private static final AdminConfig.UploadLimits UNPACK_LIMITS =
      new AdminConfig.UploadLimits(
          AdminConfig.DEFAULT_MAX_PACKAGE_BYTES,
          AdminConfig.DEFAULT_MAX_UNPACKED_BYTES,
          AdminConfig.DEFAULT_MAX_PACKAGE_FILES,
          AdminConfig.DEFAULT_MAX_INVOKE_BYTES);

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!Files.exists(source)) {
      err.println("outpost: no such file or directory: " + source);
      return ExitCodes.NOT_FOUND;
    }
    FunctionRuntimeOptions options = FunctionRuntimeOptions.defaults();
    if (config != null) {
      try {
        options = new ConfigLoader().load(config).functions();
      } catch (ConfigException e) {
        err.println("outpost: invalid configuration: " + e.getMessage());
        return ExitCodes.CONFIG;
      }
    }
    FunctionPackageCheck check;
    try {
      check = check(options);
    } catch (IOException e) {
      err.println("outpost: cannot read " + source + ": " + e.getMessage());
      return ExitCodes.DATA_ERR;
    }
    if (check.ok()) {
      out.println("OK " + check.name() + " " + check.version());
      return ExitCodes.OK;
    }
    check.problems().forEach(err::println);
    return ExitCodes.DATA_ERR;
  }

  /** A zip is unpacked (modes kept) into a scratch directory as the daemon would, then checked. */
  private FunctionPackageCheck check(FunctionRuntimeOptions options) throws IOException {
    String fileName = String.valueOf(source.getFileName()).toLowerCase(Locale.ROOT);
    if (Files.isDirectory(source) || !fileName.endsWith(".zip")) {
      return FunctionPackageCheck.of(source, options);
    }
    Path scratch = Files.createTempDirectory("outpost-validate-");
    try {
      Path unpacked = Upload.stage(scratch, Files.readAllBytes(source), true, UNPACK_LIMITS);
      return FunctionPackageCheck.of(unpacked, options);
    } finally {
      Upload.delete(scratch);
    }
  }
}
