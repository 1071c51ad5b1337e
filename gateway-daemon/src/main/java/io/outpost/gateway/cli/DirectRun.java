package io.outpost.gateway.cli;

import io.outpost.gateway.ExitCodes;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * {@code outpost run} as the service starts it ({@code run}, {@code run --config FILE}, {@code run
 * -c FILE}, {@code run --config=FILE}) without building picocli's model of every command first.
 *
 * <p>Why: picocli's classes are compiled for Java 5, which the JVM's class-data sharing archive
 * cannot hold, and building the model of all commands (options, mixins, reflection) took about a
 * fifth of the daemon's time to ready. Any other command line, help included, returns empty and
 * goes through picocli as before; {@code DirectRunTest} checks that both read these forms the same
 * way. Errors are reported as picocli reports them (exit 70, stack trace).
 */
final class DirectRun {

  private DirectRun() {}

  /** The exit code of running {@code args} directly, or empty when picocli must parse them. */
  static OptionalInt run(String[] args) {
    ConfigOption config = parse(args);
    if (config == null) {
      return OptionalInt.empty();
    }
    RunCommand command = new RunCommand();
    command.config = config;
    try {
      return OptionalInt.of(command.call());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      e.printStackTrace();
      return OptionalInt.of(ExitCodes.SOFTWARE);
    } catch (RuntimeException e) {
      e.printStackTrace();
      return OptionalInt.of(ExitCodes.SOFTWARE);
    }
  }

  /**
   * The {@code --config} option of a {@code run} command line in one of the forms above, else
   * {@code null}.
   */
  static ConfigOption parse(String[] args) {
    if (args.length == 0 || !args[0].equals("run")) {
      return null;
    }
    ConfigOption config = new ConfigOption();
    if (args.length == 1) {
      return config;
    }
    if (args.length == 2
        && args[1].startsWith("--config=")
        && args[1].length() > "--config=".length()) {
      config.file = Path.of(args[1].substring("--config=".length()));
      return config;
    }
    if (args.length == 3
        && (args[1].equals("--config") || args[1].equals("-c"))
        && !args[2].startsWith("-")) {
      config.file = Path.of(args[2]);
      return config;
    }
    return null;
  }
}
