package io.outpost.gateway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One in-process run of the real {@code outpost} command line against a running daemon, output
 * captured.
 */
record CliRun(int exit, String out, String err) {

  /** Runs {@code args} with {@code --config config --admin-url adminUrl} appended. */
  static CliRun against(Path config, String adminUrl, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = OutpostCommand.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--config", config.toString(), "--admin-url", adminUrl));
    int exit = cmd.execute(all.toArray(String[]::new));
    return new CliRun(exit, out.toString(), err.toString());
  }
}
