package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost functions activate NAME VERSION}: switches a function to any kept version, older
 * (like rollback) or newer (roll forward after a rollback).
 */
@Command(
    name = "activate",
    mixinStandardHelpOptions = true,
    description =
        "Make a kept version of a function the active one (in-flight invocations finish first)."
            + " 'functions list' shows the kept versions. Exit 66 when the function or version is"
            + " unknown.")
final class FunctionsActivateCommand extends AdminCommand {

  @Parameters(index = "0", paramLabel = "NAME")
  String name;

  @Parameters(index = "1", paramLabel = "VERSION")
  String version;

  @Override
  int execute() throws AdminClient.AdminException {
    JsonNode result =
        admin.post(
            "api/functions/"
                + AdminClient.segment(name)
                + "/versions/"
                + AdminClient.segment(version)
                + "/activate",
            null);
    if (!printedJson(result)) {
      out()
          .println(
              "activated "
                  + name
                  + " "
                  + result.path("version").asText()
                  + " ("
                  + result.path("state").asText()
                  + ")");
    }
    return ExitCodes.OK;
  }
}
