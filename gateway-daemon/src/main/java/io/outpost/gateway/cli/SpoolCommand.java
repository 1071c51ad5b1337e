package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code outpost spool}: what waits for the cloud; dead letters and their retry. */
@Command(
    name = "spool",
    mixinStandardHelpOptions = true,
    description = "Show the store-and-forward spool: depth per route, bytes, drops, dead letters.",
    subcommands = {SpoolCommand.DeadLetters.class, SpoolCommand.Retry.class})
final class SpoolCommand extends AdminCommand {

  @Override
  int execute() throws AdminClient.AdminException {
    JsonNode s = admin.get("api/spool");
    if (printedJson(s)) {
      return ExitCodes.OK;
    }
    Table t = new Table("ROUTE", "MESSAGES");
    for (Iterator<Map.Entry<String, JsonNode>> it = s.path("depthByRoute").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      t.row(e.getKey(), e.getValue().asLong());
    }
    t.row("(total)", s.path("depth").asLong());
    t.print(out());
    out().println();
    new Table("", "")
        .row("bytes", s.path("bytes").asLong() + " of " + s.path("maxBytes").asLong())
        .row("in flight", s.path("inFlight").asLong())
        .row(
            "oldest",
            StatusCommand.human(java.time.Duration.ofSeconds(s.path("oldestAgeSeconds").asLong())))
        .row("dropped", StatusCommand.drops(s.path("dropped")))
        .row("dead letters", s.path("deadLetters").asLong())
        .row(
            "writable",
            s.path("writable").asBoolean(true) ? "yes" : "NO: " + s.path("lastError").asText())
        .print(out());
    return ExitCodes.OK;
  }

  /**
   * {@code outpost spool dead-letters [list|retry|delete|purge|export]}; without a subcommand it
   * lists.
   */
  @Command(
      name = "dead-letters",
      mixinStandardHelpOptions = true,
      description =
          "Messages the cloud refused, kept with the reason: list (the default), retry, delete, purge, export.",
      subcommands = {
        DeadLetterCommands.ListCommand.class,
        Retry.class,
        DeadLetterCommands.Delete.class,
        DeadLetterCommands.Purge.class,
        DeadLetterCommands.Export.class
      })
  static final class DeadLetters extends Listing {}

  /** Lists dead letters; shared by {@code dead-letters} and {@code dead-letters list}. */
  abstract static class Listing extends AdminCommand {

    @Option(
        names = "--limit",
        defaultValue = "50",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int execute() throws AdminClient.AdminException {
      JsonNode list = admin.get("api/spool/dead-letters?limit=" + limit);
      if (printedJson(list)) {
        return ExitCodes.OK;
      }
      Table t = new Table("ID", "ROUTE", "TOPIC", "BYTES", "REASON", "AT");
      for (JsonNode d : list.path("deadLetters")) {
        t.row(
            d.path("id").asLong(),
            d.path("route").asText(),
            d.path("topic").asText(),
            d.path("payloadBytes").asLong(),
            d.path("reason").asText(),
            d.path("deadAt").asText());
      }
      t.print(out());
      return ExitCodes.OK;
    }
  }

  /** {@code outpost spool retry ID}. */
  @Command(
      name = "retry",
      mixinStandardHelpOptions = true,
      description = "Put a dead letter back into the spool to be sent again.")
  static final class Retry extends AdminCommand {

    @Parameters(paramLabel = "ID")
    long id;

    @Override
    int execute() throws AdminClient.AdminException {
      JsonNode result = admin.post("api/spool/dead-letters/" + id + "/retry", null);
      if (!printedJson(result)) {
        out().println("dead letter " + id + " queued for sending again");
      }
      return ExitCodes.OK;
    }
  }
}
