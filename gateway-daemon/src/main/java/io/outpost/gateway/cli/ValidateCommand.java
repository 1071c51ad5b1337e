package io.outpost.gateway.cli;

import io.outpost.gateway.DataDirectory;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.config.TlsFileChecks;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code outpost validate}: checks a configuration and its data directory without starting
 * anything.
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description =
        "Check a configuration without starting anything. Exit 0 when valid, 78 when the configuration is "
            + "invalid, 73 when the data directory is missing or not writable.")
final class ValidateCommand implements Callable<Integer> {

  @Mixin ConfigOption config;

  @Override
  public Integer call() {
    Optional<OutpostConfig> maybeLoaded = config.loadOrReport();
    if (maybeLoaded.isEmpty()) {
      return ExitCodes.CONFIG;
    }
    OutpostConfig loaded = maybeLoaded.get();
    List<ConfigException> files = TlsFileChecks.problems(loaded, config.file());
    if (!files.isEmpty()) {
      files.forEach(e -> System.err.println("outpost: invalid configuration: " + e.getMessage()));
      return ExitCodes.CONFIG;
    }
    try {
      DataDirectory.check(loaded.dataDir());
    } catch (DataDirectory.DataDirectoryException e) {
      System.err.println("outpost: " + e.getMessage());
      return ExitCodes.CANT_CREATE;
    }
    System.out.println(config.describe() + ": OK — " + StartupSummary.of(loaded));
    return ExitCodes.OK;
  }
}
