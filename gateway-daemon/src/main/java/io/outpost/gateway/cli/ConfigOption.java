package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by commands that read the daemon configuration. */
final class ConfigOption {

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description =
          "YAML configuration file. Default: ./outpost.yaml when present, else $OUTPOST_CONFIG, else "
              + "/etc/outpost/outpost.yaml when present, else the built-in configuration (broker on 127.0.0.1:1883, "
              + "data in ./outpost-data, no cloud).")
  Path file;

  /** Environment variable naming the configuration file when {@code --config} is not given. */
  static final String ENV = "OUTPOST_CONFIG";

  /** Looked for first, in the working directory. */
  static final Path LOCAL = Path.of("outpost.yaml");

  /** Looked for last: where the package installs the configuration. */
  static final Path SYSTEM = Path.of("/etc/outpost/outpost.yaml");

  OutpostConfig load() throws ConfigException {
    ConfigLoader loader = new ConfigLoader();
    Path effective = effectiveFile();
    return effective == null ? loader.builtIn() : loader.load(effective);
  }

  /**
   * Loads the configuration, or prints why it is invalid and returns empty; the caller then exits
   * 78.
   */
  Optional<OutpostConfig> loadOrReport() {
    try {
      return Optional.of(load());
    } catch (ConfigException e) {
      System.err.println("outpost: invalid configuration: " + e.getMessage());
      return Optional.empty();
    }
  }

  /**
   * The configuration as commands that talk to a running daemon need it. When the file does not
   * validate (an operator in the middle of an edit, or a reload about to be refused), the daemon
   * still runs on what it loaded before, so only the keys that say where it is are taken from the
   * file — {@code admin.listen}, {@code admin.tokenFile}, {@code storage.dir}, with their defaults
   * — and {@code warn} is told why. Throws the original error when even those cannot be read.
   */
  OutpostConfig loadForAdmin(Consumer<String> warn) throws ConfigException {
    try {
      return load();
    } catch (ConfigException invalid) {
      Path effective = effectiveFile();
      if (effective == null) {
        throw invalid;
      }
      try {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode tree = yaml.readTree(effective.toFile());
        ObjectNode where = yaml.createObjectNode();
        copy(tree, where, "admin", "listen");
        copy(tree, where, "admin", "tokenFile");
        copy(tree, where, "storage", "dir");
        OutpostConfig address =
            new ConfigLoader().parse(yaml.writeValueAsString(where), effective.toString());
        warn.accept(
            "invalid configuration: "
                + invalid.getMessage()
                + " (the daemon keeps running on the one it"
                + " loaded; reaching it with admin.listen and storage.dir as the file gives them)");
        return address;
      } catch (IOException | ConfigException | RuntimeException unreadable) {
        invalid.addSuppressed(unreadable);
        throw invalid;
      }
    }
  }

  private static void copy(JsonNode from, ObjectNode to, String section, String key) {
    JsonNode value = from == null ? null : from.path(section).get(key);
    if (value != null && value.isValueNode() && !value.isNull()) {
      to.withObject("/" + section).set(key, value);
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

  /**
   * {@code --config}, else {@code ./outpost.yaml} when present, else {@code $OUTPOST_CONFIG}, else
   * {@code /etc/outpost/outpost.yaml} when present; {@code null} for the built-in configuration.
   */
  private Path effectiveFile() {
    if (file != null) {
      return file;
    }
    if (Files.isRegularFile(LOCAL)) {
      return LOCAL.toAbsolutePath();
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Files.isRegularFile(SYSTEM) ? SYSTEM : null;
  }
}
