package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The subcommands of {@code outpost spool dead-letters} that change or copy dead letters. Exit
 * codes follow sysexits: 0 done, 64 usage (purge without {@code --yes}), 66 no such dead letter, 69
 * daemon unreachable, 73 the export file cannot be written, 77 token refused.
 */
final class DeadLetterCommands {

  private DeadLetterCommands() {}

  /** {@code outpost spool dead-letters list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List dead letters, oldest first.")
  static final class ListCommand extends SpoolCommand.Listing {}

  /** {@code outpost spool dead-letters delete ID...}. */
  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete dead letters for good (export them first to keep a copy).")
  static final class Delete extends AdminCommand {

    @Parameters(paramLabel = "ID", arity = "1..*")
    List<Long> ids;

    @Override
    int execute() throws AdminClient.AdminException {
      List<Long> missing = new ArrayList<>();
      for (long id : ids) {
        try {
          admin.delete("api/spool/dead-letters/" + id);
          if (!admin.json) {
            out().println("dead letter " + id + " deleted");
          }
        } catch (AdminClient.AdminException e) {
          if (e.exitCode != ExitCodes.NOT_FOUND) {
            throw e;
          }
          missing.add(id);
        }
      }
      if (admin.json) {
        printedJson(
            AdminClient.json()
                .createObjectNode()
                .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                    "deleted",
                    AdminClient.json()
                        .valueToTree(ids.stream().filter(i -> !missing.contains(i)).toList()))
                .set("notFound", AdminClient.json().valueToTree(missing)));
      }
      if (!missing.isEmpty()) {
        err()
            .println(
                "outpost: no dead letter with id "
                    + missing.stream()
                        .map(String::valueOf)
                        .reduce((a, b) -> a + ", " + b)
                        .orElse(""));
        return ExitCodes.NOT_FOUND;
      }
      return ExitCodes.OK;
    }
  }

  /** {@code outpost spool dead-letters purge --yes}. */
  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = "Delete every dead letter for good (export them first to keep a copy).")
  static final class Purge extends AdminCommand {

    @Option(names = "--yes", description = "Confirm: without it nothing is deleted.")
    boolean yes;

    @Override
    int execute() throws AdminClient.AdminException {
      if (!yes) {
        long count = admin.get("api/spool").path("deadLetters").asLong();
        err()
            .println(
                "outpost: purge would delete "
                    + count
                    + " dead letter(s) for good; add --yes to do it");
        return ExitCodes.USAGE;
      }
      JsonNode result = admin.post("api/spool/dead-letters/purge", null);
      if (!printedJson(result)) {
        out().println(result.path("purged").asLong() + " dead letter(s) deleted");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code outpost spool dead-letters export [--output FILE]}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      description =
          "Write every dead letter as JSON lines (payload as UTF-8 text or base64) to stdout or a file.")
  static final class Export extends AdminCommand {

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description =
            "Write to FILE (replaced only once the export is complete) instead of stdout.")
    Path output;

    @Override
    int execute() throws AdminClient.AdminException {
      if (output == null) {
        try {
          admin.download("api/spool/dead-letters/export", out());
        } catch (IOException e) {
          err().println("outpost: cannot write to standard output (" + e.getMessage() + ")");
          return ExitCodes.CANT_CREATE;
        }
        out().flush();
        return ExitCodes.OK;
      }
      Path absolute = output.toAbsolutePath();
      Path partial;
      try {
        partial =
            Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".partial");
      } catch (IOException e) {
        err().println("outpost: cannot write " + output + " (" + e.getMessage() + ")");
        return ExitCodes.CANT_CREATE;
      }
      try {
        try (Writer file = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
          admin.download("api/spool/dead-letters/export", file);
        }
        Files.move(
            partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        err().println("outpost: cannot write " + output + " (" + e.getMessage() + ")");
        return ExitCodes.CANT_CREATE;
      } finally {
        try {
          Files.deleteIfExists(partial);
        } catch (IOException e) {
          err().println("outpost: cannot remove " + partial + " (" + e.getMessage() + ")");
        }
      }
      return ExitCodes.OK;
    }
  }
}
