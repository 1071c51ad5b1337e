package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code outpost clients}: connected MQTT clients; {@code clients disconnect ID} drops one. */
@Command(
    name = "clients",
    mixinStandardHelpOptions = true,
    description = "List connected MQTT clients.",
    subcommands = ClientsCommand.Disconnect.class)
final class ClientsCommand extends AdminCommand {

  @Override
  int execute() throws AdminClient.AdminException {
    JsonNode clients = admin.get("api/clients");
    if (printedJson(clients)) {
      return ExitCodes.OK;
    }
    Table t =
        new Table("CLIENT ID", "PROTOCOL", "ADDRESS", "CONNECTED AT", "SUBSCRIPTIONS", "QUEUED");
    for (JsonNode c : clients.path("clients")) {
      t.row(
          c.path("clientId").asText(),
          c.path("protocol").asText(),
          c.path("remoteAddress").asText(),
          c.path("connectedAt").asText(),
          c.path("subscriptions").asInt(),
          c.path("queued").asInt());
    }
    t.print(out());
    return ExitCodes.OK;
  }

  /** {@code outpost clients disconnect ID}. */
  @Command(
      name = "disconnect",
      mixinStandardHelpOptions = true,
      description = "Disconnect a client.")
  static final class Disconnect extends AdminCommand {

    @Parameters(paramLabel = "CLIENT_ID")
    String clientId;

    @Override
    int execute() throws AdminClient.AdminException {
      JsonNode result = admin.delete("api/clients/" + AdminClient.segment(clientId));
      if (!printedJson(result)) {
        out().println("disconnected " + clientId);
      }
      return ExitCodes.OK;
    }
  }
}
