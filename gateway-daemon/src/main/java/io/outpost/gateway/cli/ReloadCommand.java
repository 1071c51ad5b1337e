package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import picocli.CommandLine.Command;

/**
 * {@code outpost reload}: re-read the configuration without dropping device connections (like
 * SIGHUP).
 */
@Command(
    name = "reload",
    mixinStandardHelpOptions = true,
    description =
        "Re-read the configuration file the daemon runs on. Routes, function settings, broker limits, admin "
            + "upload bounds and log levels change live; keys that need a restart are named. An invalid file is rejected "
            + "and the running configuration stays in force.")
final class ReloadCommand extends AdminCommand {

  @Override
  int execute() throws AdminClient.AdminException {
    JsonNode result = admin.post("api/reload", null);
    if (!printedJson(result)) {
      out().println(result.path("message").asText());
    }
    return ExitCodes.OK;
  }
}
