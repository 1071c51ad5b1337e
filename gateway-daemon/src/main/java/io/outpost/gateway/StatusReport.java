package io.outpost.gateway;

import io.outpost.cloud.CloudLink;
import io.outpost.cloud.CloudLinkStatus;
import io.outpost.gateway.admin.FunctionsApi;
import io.outpost.gateway.admin.SpoolApi;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

/** Builds the {@code GET /api/status} document: the operator's one-glance view of the site. */
final class StatusReport implements Supplier<JsonObject> {

  private final Gateway gateway;

  StatusReport(Gateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public JsonObject get() {
    Duration uptime = Duration.between(gateway.startedAt(), gateway.clock().instant());
    return new JsonObject()
        .put("version", VersionInfo.version())
        .put("uptimeSeconds", uptime.toSeconds())
        .put("ready", gateway.isReady())
        .put(
            "broker", new JsonObject().put("connectedClients", gateway.broker().connectedClients()))
        .put("cloud", cloud())
        .put("spool", spool())
        .put("functions", functions())
        .put("functionSandbox", gateway.functions().sandboxMode().yaml())
        .put("strandedFunctionThreads", strandedThreads())
        .put("lastReload", lastReload());
  }

  private JsonObject lastReload() {
    Reloader.LastReload last = gateway.lastReload();
    return last == null
        ? null
        : new JsonObject()
            .put("at", last.at().toString())
            .put("accepted", last.result().accepted())
            .put("summary", last.result().summary());
  }

  private JsonObject cloud() {
    CloudLink link = gateway.cloud();
    if (link == null) {
      return new JsonObject().put("configured", false).put("state", "not-configured");
    }
    CloudLinkStatus s = link.status();
    return new JsonObject()
        .put("configured", true)
        .put("url", s.url())
        .put("state", s.state().toString().toLowerCase(Locale.ROOT).replace('_', '-'))
        .put("offlineSeconds", s.offlineFor().toSeconds())
        .put("lastError", s.lastError())
        .put("lastErrorAt", s.lastErrorAt() == null ? null : s.lastErrorAt().toString())
        .put("nextRetryAt", s.nextRetryAt() == null ? null : s.nextRetryAt().toString())
        .put("drainPerSecond", Math.round(s.drainPerSecond() * 10) / 10.0)
        .put("etaSeconds", s.etaSeconds());
  }

  private JsonObject spool() {
    return SpoolApi.stats(gateway.spool().stats());
  }

  /**
   * In-process handler threads that outlived their version; Java cannot stop them, a restart does.
   */
  private JsonArray strandedThreads() {
    JsonArray list = new JsonArray();
    gateway
        .functions()
        .strandedThreads()
        .forEach(
            e ->
                list.add(
                    new JsonObject()
                        .put("function", e.function())
                        .put("version", e.version())
                        .put("threads", e.threads())
                        .put(
                            "note",
                            "ignored a timeout and still running after the version was removed or replaced;"
                                + " only a daemon restart frees them")));
    return list;
  }

  private JsonArray functions() {
    JsonArray list = new JsonArray();
    gateway.functions().list().forEach(f -> list.add(FunctionsApi.info(f)));
    return list;
  }
}
