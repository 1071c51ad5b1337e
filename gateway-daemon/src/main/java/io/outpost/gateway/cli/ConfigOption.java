package io.outpost.gateway.cli;

import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by commands that read the daemon configuration. */
final class ConfigOption {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML configuration file. Default: $OUTPOST_CONFIG, else the built-in configuration "
          + "(broker on 127.0.0.1:1883, data in ./outpost-data, no cloud).")
  Path file;

  /** Environment variable naming the configuration file when {@code --config} is not given. */
  static final String ENV = "OUTPOST_CONFIG";

  OutpostConfig load() throws ConfigException {
    ConfigLoader loader = new ConfigLoader();
    Path effective = effectiveFile();
    return effective == null ? loader.builtIn() : loader.load(effective);
  }

  /** Loads the configuration, or prints why it is invalid and returns empty; the caller then exits 78. */
  Optional<OutpostConfig> loadOrReport() {
    try {
      return Optional.of(load());
    } catch (ConfigException e) {
      System.err.println("outpost: invalid configuration: " + e.getMessage());
      return Optional.empty();
    }
  }

  String describe() {
    Path effective = effectiveFile();
    return effective == null ? "built-in configuration" : effective.toString();
  }

  /** The configuration file in effect, or {@code null} for the built-in configuration. */
  Path file() {
    return effectiveFile();
  }

  private Path effectiveFile() {
    if (file != null) {
      return file;
    }
    String env = System.getenv(ENV);
    return env == null || env.isBlank() ? null : Path.of(env);
  }
}
