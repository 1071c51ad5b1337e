package io.outpost.gateway.cli;

import io.outpost.gateway.ExitCodes;
import java.io.IOException;
import java.io.Writer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost functions logs NAME [-f] [--since 10m] [--lines N]}: a function's own log (handler
 * lines, process output, runtime events), oldest first; with {@code --follow} it keeps printing new
 * lines until interrupted.
 */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description =
        "Print a function's log: its handler's lines, its process output and runtime events"
            + " (started, timed out, restarted, limit hit, BROKEN).")
final class FunctionsLogsCommand extends AdminCommand {

  @Parameters(paramLabel = "NAME", description = "The function.")
  String name;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new lines as they are logged (Ctrl-C to stop).")
  boolean follow;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description = "Only lines since then: a duration back (30s, 10m, 2h, 1d) or an ISO time.")
  String since;

  @Option(
      names = {"-n", "--lines"},
      paramLabel = "N",
      defaultValue = "100",
      description = "At most the newest N lines (1 to 10000; default ${DEFAULT-VALUE}).")
  int lines;

  @Override
  int execute() throws AdminClient.AdminException {
    if (lines < 1 || lines > 10_000) {
      err().println("outpost: --lines: expected a number from 1 to 10000, got " + lines);
      return ExitCodes.USAGE;
    }
    StringBuilder path =
        new StringBuilder("api/functions/")
            .append(AdminClient.segment(name))
            .append("/logs?lines=")
            .append(lines);
    if (since != null) {
      path.append("&since=").append(AdminClient.segment(since));
    }
    if (follow) {
      path.append("&follow=true");
    }
    try (Writer printer = LogLineFormat.printing(out(), admin.json)) {
      admin.download(path.toString(), printer);
    } catch (AdminClient.AdminException e) {
      throw refined(e);
    } catch (IOException e) {
      err().println("outpost: cannot write to standard output (" + e.getMessage() + ")");
      return ExitCodes.CANT_CREATE;
    }
    return ExitCodes.OK;
  }

  /** The daemon's answers map to sysexits: an unknown function 66, a bad --since 64. */
  private static AdminClient.AdminException refined(AdminClient.AdminException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("function-not-found")) {
      return new AdminClient.AdminException(ExitCodes.NOT_FOUND, message);
    }
    if (message.startsWith("bad-request")) {
      return new AdminClient.AdminException(ExitCodes.USAGE, message);
    }
    return e;
  }
}
