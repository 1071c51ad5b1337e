package io.outpost.gateway.cli;

import io.outpost.gateway.ExitCodes;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code outpost} executable: one entry point for operators and developers. */
@Command(
    name = "outpost",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    exitCodeOnInvalidInput = ExitCodes.USAGE,
    exitCodeOnExecutionException = ExitCodes.SOFTWARE,
    description =
        "Offline-first edge gateway: local MQTT broker, local functions and durable store-and-forward.",
    subcommands = {
      RunCommand.class,
      ValidateCommand.class,
      AwaitReadyCommand.class,
      StatusCommand.class,
      ClientsCommand.class,
      SpoolCommand.class,
      FunctionsCommand.class,
      ReloadCommand.class,
      PasswdCommand.class,
      FleetCommand.class,
      VersionCommand.class,
      CdsTrainingCommand.class,
      CommandLine.HelpCommand.class
    })
public final class OutpostCommand implements Runnable {

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    // the service's own `run --config FILE` skips building picocli's model of every command (see
    // DirectRun)
    OptionalInt direct = DirectRun.run(args);
    System.exit(direct.isPresent() ? direct.getAsInt() : commandLine().execute(args));
  }

  /** The configured command line, also used by tests to run commands in-process. */
  public static CommandLine commandLine() {
    return new CommandLine(new OutpostCommand());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
