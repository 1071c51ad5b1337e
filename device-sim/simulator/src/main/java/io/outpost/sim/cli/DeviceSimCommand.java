package io.outpost.sim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code device-sim}: fleet simulator and measuring consumer for Outpost or any MQTT broker. Entry
 * point of {@code device-sim.jar}.
 */
@Command(
    name = "device-sim",
    mixinStandardHelpOptions = true,
    version = "device-sim 0.1.0",
    description =
        "Simulate MQTT device fleets and measure delivery (loss, duplicates, order, latency).",
    subcommands = {RunCommand.class, ConsumeCommand.class, ChartCommand.class})
public final class DeviceSimCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "choose a subcommand: run, consume or chart");
  }

  /** Runs the command line and returns the exit code (tests call this instead of {@link #main}). */
  public static int execute(String... args) {
    return new CommandLine(new DeviceSimCommand()).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
