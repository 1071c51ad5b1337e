package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.admin.PackageZip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code outpost functions ...}: deploy, list, invoke, roll back, activate and remove local
 * functions, and validate a package without a daemon. Refusals exit with sysexits codes: 65 bad
 * package, 66 unknown function or version (or nothing older to roll back to), 69 daemon not
 * reachable, 77 token refused.
 */
@Command(
    name = "functions",
    mixinStandardHelpOptions = true,
    description = "Manage local functions.",
    subcommands = {
      FunctionsCommand.ListFunctions.class,
      FunctionsCommand.Deploy.class,
      FunctionsCommand.Invoke.class,
      FunctionsCommand.Rollback.class,
      FunctionsCommand.Remove.class,
      FunctionsValidateCommand.class,
      FunctionsActivateCommand.class,
      FunctionsInitCommand.class,
      FunctionsLogsCommand.class,
      FunctionsDevCommand.class
    })
final class FunctionsCommand extends AdminCommand {

  @Override
  int execute() throws AdminClient.AdminException {
    return new ListFunctions().withAdmin(admin).execute();
  }

  /** {@code outpost functions list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List deployed functions.")
  static final class ListFunctions extends AdminCommand {

    ListFunctions withAdmin(AdminClient client) {
      this.admin = client;
      return this;
    }

    @Override
    int execute() throws AdminClient.AdminException {
      JsonNode list = admin.get("api/functions");
      if (printedJson(list)) {
        return ExitCodes.OK;
      }
      Table t =
          new Table(
              "NAME",
              "VERSION",
              "KEPT",
              "RUNTIME",
              "LIFECYCLE",
              "STATE",
              "TRIGGERS",
              "INVOCATIONS",
              "FAILURES",
              "LAST ERROR");
      for (JsonNode f : list.path("functions")) {
        t.row(
            f.path("name").asText(),
            f.path("version").asText(),
            kept(f),
            f.path("runtime").asText(),
            f.path("lifecycle").asText(),
            f.path("state").asText(),
            triggers(f),
            f.path("invocations").asLong(),
            f.path("failures").asLong(),
            f.path("lastError").isNull() ? "-" : f.path("lastError").asText("-"));
      }
      t.print(out());
      return ExitCodes.OK;
    }

    /** The kept versions, oldest first, the active one marked with '*': "1.0.0 1.1.0* 1.2.0". */
    static String kept(JsonNode f) {
      StringBuilder b = new StringBuilder();
      for (JsonNode v : f.path("versions")) {
        b.append(b.length() == 0 ? "" : " ")
            .append(v.path("version").asText())
            .append(v.path("active").asBoolean() ? "*" : "");
      }
      return b.length() == 0 ? f.path("version").asText() : b.toString();
    }

    /** Topic filters, then the schedule and its next run when there is one. */
    static String triggers(JsonNode f) {
      JsonNode s = f.path("schedule");
      if (!s.isObject()) {
        return f.path("triggers").toString();
      }
      String when =
          s.hasNonNull("cron")
              ? "schedule \"" + s.path("cron").asText() + "\""
              : "every " + s.path("every").asText();
      return f.path("triggers")
          + " "
          + when
          + (s.hasNonNull("nextRun") ? " next " + s.path("nextRun").asText() : "");
    }
  }

  /** {@code outpost functions deploy FILE|DIR}. */
  @Command(
      name = "deploy",
      mixinStandardHelpOptions = true,
      description =
          "Deploy a function package: a JAR (Java), a directory or a zip (any language) with its"
              + " descriptor; file modes travel with it. A package that cannot start is refused"
              + " (exit 65) and the previous version keeps running; earlier versions stay kept"
              + " for rollback and activate.")
  static final class Deploy extends AdminCommand {

    @Parameters(paramLabel = "FILE|DIR")
    Path source;

    @Override
    int execute() throws AdminClient.AdminException {
      if (!Files.exists(source)) {
        err().println("outpost: no such file or directory: " + source);
        return ExitCodes.NOT_FOUND;
      }
      JsonNode result;
      try {
        boolean zipFile = source.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
        result =
            Files.isDirectory(source)
                ? admin.post("api/functions", PackageZip.zip(source), "application/zip")
                : admin.post(
                    "api/functions",
                    Files.readAllBytes(source),
                    zipFile ? "application/zip" : "application/java-archive");
      } catch (IOException e) {
        err().println("outpost: cannot read " + source + ": " + e.getMessage());
        return ExitCodes.NOT_FOUND;
      }
      if (!printedJson(result)) {
        out()
            .println(
                "deployed "
                    + result.path("name").asText()
                    + " "
                    + result.path("version").asText()
                    + " ("
                    + result.path("state").asText()
                    + ")");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code outpost functions invoke NAME --topic T --payload P}. */
  @Command(
      name = "invoke",
      mixinStandardHelpOptions = true,
      description = "Invoke a function once with a test message and print its outcome and outputs.")
  static final class Invoke extends AdminCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = "--topic",
        required = true,
        description = "Topic the test message appears to come from.")
    String topic;

    @Option(names = "--payload", defaultValue = "", description = "Payload (UTF-8 text).")
    String payload;

    @Override
    int execute() throws AdminClient.AdminException {
      ObjectNode body =
          AdminClient.json().createObjectNode().put("topic", topic).put("payload", payload);
      JsonNode result = admin.post("api/functions/" + AdminClient.segment(name) + "/invoke", body);
      if (!printedJson(result)) {
        out()
            .println(
                result.path("outcome").asText()
                    + " in "
                    + result.path("durationMillis").asText()
                    + " ms"
                    + (result.hasNonNull("error") ? ": " + result.path("error").asText() : ""));
        for (JsonNode out : result.path("outputs")) {
          out().println("  -> " + out.path("topic").asText() + " " + out.path("payload").asText());
        }
        for (JsonNode line : result.path("logs")) {
          out().println("  | " + LogLineFormat.format(line));
        }
      }
      // a function that failed on the test message is the function's problem, not the daemon's
      return "ok".equals(result.path("outcome").asText()) ? ExitCodes.OK : ExitCodes.DATA_ERR;
    }
  }

  /** {@code outpost functions rollback NAME}. */
  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Switch a function back to the version before the active one (in-flight invocations"
              + " finish first); the newer version stays kept for 'functions activate'. Exit 66"
              + " when there is no older version.")
  static final class Rollback extends AdminCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int execute() throws AdminClient.AdminException {
      JsonNode result =
          admin.post("api/functions/" + AdminClient.segment(name) + "/rollback", null);
      if (!printedJson(result)) {
        out().println("rolled back " + name + " to " + result.path("version").asText());
      }
      return ExitCodes.OK;
    }
  }

  /** {@code outpost functions remove NAME}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove a function and its versions.")
  static final class Remove extends AdminCommand {

    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    int execute() throws AdminClient.AdminException {
      JsonNode result = admin.delete("api/functions/" + AdminClient.segment(name));
      if (!printedJson(result)) {
        out().println("removed " + name);
      }
      return ExitCodes.OK;
    }
  }
}
