package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code outpost status}: the site at a glance. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show the daemon's health, cloud link, spool and functions.")
final class StatusCommand extends AdminCommand {

  @Override
  int execute() throws AdminClient.AdminException {
    JsonNode s = admin.get("api/status");
    if (printedJson(s)) {
      return ExitCodes.OK;
    }
    JsonNode cloud = s.path("cloud");
    JsonNode spool = s.path("spool");
    Table t = new Table("", "");
    t.row("version", s.path("version").asText());
    t.row("uptime", human(Duration.ofSeconds(s.path("uptimeSeconds").asLong())));
    t.row("ready", s.path("ready").asBoolean() ? "yes" : "NO");
    t.row("clients", s.path("broker").path("connectedClients").asInt());
    t.row(
        "cloud",
        cloud.path("state").asText()
            + (cloud.path("offlineSeconds").asLong() > 0
                ? " (offline "
                    + human(Duration.ofSeconds(cloud.path("offlineSeconds").asLong()))
                    + ")"
                : "")
            + (cloud.hasNonNull("url") ? " " + cloud.path("url").asText() : ""));
    if (cloud.hasNonNull("lastError")) {
      t.row(
          "last error",
          cloud.path("lastError").asText() + " at " + cloud.path("lastErrorAt").asText());
    }
    if (cloud.hasNonNull("nextRetryAt")) {
      t.row("next retry", cloud.path("nextRetryAt").asText());
    }
    if (cloud.has("drainPerSecond")) {
      long eta = cloud.path("etaSeconds").asLong();
      t.row(
          "drain",
          cloud.path("drainPerSecond").asDouble()
              + " messages/s, "
              + (eta == 0
                  ? "nothing waiting"
                  : eta < 0
                      ? "ETA unknown (not draining)"
                      : "empty in " + human(Duration.ofSeconds(eta))));
    }
    t.row(
        "spool",
        spool.path("depth").asLong()
            + " messages, "
            + spool.path("bytes").asLong()
            + " of "
            + spool.path("maxBytes").asLong()
            + " bytes, oldest "
            + human(Duration.ofSeconds(spool.path("oldestAgeSeconds").asLong()))
            + (spool.path("writable").asBoolean(true) ? "" : ", NOT WRITABLE"));
    t.row("dropped", drops(spool.path("dropped")));
    t.row("dead letters", spool.path("deadLetters").asLong());
    t.row(
        "functions",
        s.path("functions").size() + ", sandbox " + s.path("functionSandbox").asText("-"));
    for (JsonNode stranded : s.path("strandedFunctionThreads")) {
      t.row(
          "stranded threads",
          stranded.path("function").asText()
              + "@"
              + stranded.path("version").asText()
              + ": "
              + stranded.path("threads").asInt()
              + " (only a restart frees them)");
    }
    JsonNode reload = s.path("lastReload");
    t.row(
        "last reload",
        reload.isObject()
            ? reload.path("at").asText() + " " + reload.path("summary").asText()
            : "-");
    t.print(out());
    return s.path("ready").asBoolean() ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
  }

  static String drops(JsonNode dropped) {
    StringBuilder b = new StringBuilder();
    for (Iterator<Map.Entry<String, JsonNode>> it = dropped.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      b.append(b.length() == 0 ? "" : ", ")
          .append(e.getKey())
          .append(' ')
          .append(e.getValue().asLong());
    }
    return b.length() == 0 ? "none" : b.toString();
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    if (s < 86_400) {
      return (s / 3600) + "h" + (s % 3600 / 60) + "m";
    }
    return (s / 86_400) + "d" + (s % 86_400 / 3600) + "h";
  }
}
