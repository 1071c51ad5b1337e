package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionState;
import io.outpost.gateway.config.FleetOptions;
import io.outpost.gateway.fleet.JobJournal.Last;
import io.outpost.gateway.fleet.JobJournal.State;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the gateway's reported state to the named shadow {@code outpost} ({@code
 * state.reported}): version, functions with versions and states, configuration revision, the last
 * deployment and its result, spool depth, cloud link state and drift from the last deployment. On
 * change at most once per {@code fleet.reportIntervalSeconds} (changes in between are merged into
 * one report), and at once on every reconnection. Runs on the protocol thread.
 */
final class ShadowReporter {

  private static final Logger LOG = LoggerFactory.getLogger(ShadowReporter.class);

  private final FleetHost host;
  private final JobsTopics topics;
  private final JobsClient.Publisher publisher;
  private final ScheduledExecutorService thread;
  private final FleetOptions options;
  private final Supplier<State> journal;
  private final FleetMetrics metrics;
  private final Clock clock;
  private long lastMillis = Long.MIN_VALUE / 2;
  private ScheduledFuture<?> pending;

  ShadowReporter(
      FleetHost host,
      JobsTopics topics,
      JobsClient.Publisher publisher,
      ScheduledExecutorService thread,
      FleetOptions options,
      Supplier<State> journal,
      FleetMetrics metrics,
      Clock clock) {
    this.host = host;
    this.topics = topics;
    this.publisher = publisher;
    this.thread = thread;
    this.options = options;
    this.journal = journal;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Something reported changed: report within the rate limit. Any thread. */
  void changed() {
    thread.execute(
        () -> {
          if (pending != null) {
            return;
          }
          long wait = lastMillis + options.reportIntervalSeconds() * 1000L - clock.millis();
          if (wait <= 0) {
            publish();
          } else {
            pending =
                thread.schedule(
                    () -> {
                      pending = null;
                      publish();
                    },
                    wait,
                    TimeUnit.MILLISECONDS);
          }
        });
  }

  /** Reports now (after a reconnection). */
  void now() {
    thread.execute(this::publish);
  }

  private void publish() {
    lastMillis = clock.millis();
    byte[] payload;
    try {
      payload = JobsClient.JSON.writeValueAsBytes(document());
    } catch (IOException e) {
      LOG.error("Building the shadow report failed", e);
      return;
    }
    publisher
        .publish(topics.shadowUpdate(), payload, options.retainReports())
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                metrics.reports();
              } else {
                LOG.debug(
                    "Shadow report not published ({}); it is sent again on reconnection",
                    error.toString());
              }
            });
  }

  ObjectNode document() {
    ObjectNode root = JobsClient.JSON.createObjectNode();
    ObjectNode reported = root.putObject("state").putObject("reported");
    reported.put("thing", topics.thing());
    reported.put("outpostVersion", host.version());
    ObjectNode functions = reported.putObject("functions");
    for (FunctionInfo f : host.functions().list()) {
      functions.putObject(f.name()).put("version", f.version()).put("state", f.state().name());
    }
    String revision = ConfigOverlay.revision(host.config());
    reported.put("configRevision", revision);
    State state = journal.get();
    Last last = state.last();
    if (last != null) {
      ObjectNode d = reported.putObject("lastDeployment");
      d.put("jobId", last.jobId())
          .put("name", last.name())
          .put("status", last.status())
          .put("at", last.at());
      if (last.step() != null) {
        d.put("step", last.step());
      }
      if (last.reason() != null) {
        d.put("reason", last.reason());
      }
    }
    if (state.active() != null) {
      reported.put("deploying", state.active().jobId());
    }
    reported.put("spoolDepth", host.spoolDepth());
    reported.put("cloudLink", host.cloud() == null ? "STOPPED" : host.cloud().state().name());
    ArrayNode drift = reported.putArray("drift");
    if (state.active() == null) {
      for (Map.Entry<String, String> e : state.deployed().entrySet()) {
        FunctionInfo now = host.functions().get(e.getKey()).orElse(null);
        if (now == null || now.state() == FunctionState.REMOVED) {
          drift.add("function " + e.getKey() + ": deployed " + e.getValue() + ", now removed");
        } else if (!now.version().equals(e.getValue())) {
          drift.add(
              "function "
                  + e.getKey()
                  + ": deployed "
                  + e.getValue()
                  + ", running "
                  + now.version());
        }
      }
      if (state.deployedConfigRevision() != null
          && !state.deployedConfigRevision().equals(revision)) {
        drift.add(
            "config: deployed revision "
                + state.deployedConfigRevision()
                + ", running "
                + revision);
      }
    }
    reported.put("reportedAt", clock.instant().toString());
    return root;
  }
}
