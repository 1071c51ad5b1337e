package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.gateway.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost functions ...}: deploy, list, invoke, roll back and remove local functions. */
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
          "Deploy a function package: a JAR (Java) or a directory (any language) with its descriptor. "
              + "The previous version is kept for rollback.")
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
        result =
            Files.isDirectory(source)
                ? admin.post("api/functions", zip(source), "application/zip")
                : admin.post(
                    "api/functions", Files.readAllBytes(source), "application/java-archive");
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

    /**
     * Zips a directory package so it can travel in one request; paths are relative to the
     * directory.
     */
    static byte[] zip(Path dir) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(bytes);
          Stream<Path> files = Files.walk(dir)) {
        files
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(
                file -> {
                  try {
                    zip.putNextEntry(
                        new ZipEntry(dir.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, zip);
                    zip.closeEntry();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      return bytes.toByteArray();
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
      }
      return "ok".equals(result.path("outcome").asText()) ? ExitCodes.OK : ExitCodes.SOFTWARE;
    }
  }

  /** {@code outpost functions rollback NAME}. */
  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Switch a function back to its previous version (in-flight invocations finish first).")
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
