package io.outpost.gateway.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the commands that talk to a running daemon: resolves the admin API from the
 * configuration, turns failures into a one-line message and an exit code, and prints either a table
 * or, with {@code --json}, the daemon's JSON.
 */
abstract class AdminCommand implements Callable<Integer> {

  @Mixin AdminClient admin;

  @Spec CommandSpec spec;

  /** Standard output as picocli sees it (tests capture it). */
  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public final Integer call() {
    try {
      return execute();
    } catch (AdminClient.AdminException e) {
      err().println("outpost: " + e.getMessage());
      return e.exitCode;
    }
  }

  abstract int execute() throws AdminClient.AdminException;

  /**
   * Prints {@code node} as JSON when {@code --json} was given and returns true; otherwise returns
   * false.
   */
  final boolean printedJson(JsonNode node) {
    if (!admin.json) {
      return false;
    }
    try {
      out().println(AdminClient.json().writerWithDefaultPrettyPrinter().writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
    return true;
  }
}
