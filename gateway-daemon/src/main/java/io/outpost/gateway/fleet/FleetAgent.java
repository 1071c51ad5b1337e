package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.outpost.cloud.CloudMessage;
import io.outpost.cloud.ControlChannel;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.FleetOptions;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.fleet.JobJournal.Active;
import io.outpost.gateway.fleet.JobJournal.Last;
import io.outpost.gateway.fleet.JobJournal.Report;
import io.outpost.gateway.fleet.JobJournal.State;
import io.outpost.gateway.fleet.JobJournal.Step;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's fleet agent: takes deployments from the AWS IoT Jobs MQTT API on the cloud link,
 * applies them atomically ({@link DeploymentApplier}), reports progress and results as job status
 * updates, and the gateway's state on the named shadow {@code outpost}.
 *
 * <p>Jobs are taken one at a time with {@code start-next}; a job already finished here (a
 * redelivery) is not applied again, its final status is re-sent; a job with a newer one queued
 * behind it is skipped as superseded; a cancellation seen before the switch abandons the job with
 * nothing changed. Every step is journaled (fsync'd) in {@code <data>/fleet}: a restart after the
 * switch restores the previous set and reports FAILED, a restart before it resumes the download
 * when the job comes back. Two named threads: {@code outpost-fleet} (protocol, never blocks) and
 * {@code outpost-fleet-apply} (downloads, file I/O, function deploys).
 */
public final class FleetAgent {

  private static final Logger LOG = LoggerFactory.getLogger(FleetAgent.class);
  private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);
  private static final Set<String> GONE =
      Set.of("CANCELED", "REMOVED", "TIMED_OUT", "FAILED", "SUCCEEDED", "REJECTED");

  private final FleetOptions options;
  private final FleetHost host;
  private final Path fleetDir;
  private final Clock clock;
  private final JobsTopics topics;
  private final ScheduledThreadPoolExecutor protocol;
  private final ExecutorService applyThread;
  private final FleetMetrics metrics;
  private final JobsClient jobs;
  private final ShadowReporter reporter;
  private final DeploymentParser parser = new DeploymentParser();
  private final Set<String> terminal = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile JobJournal journal;
  private volatile DeploymentApplier applier;
  private volatile ArtifactFetcher fetcher;
  private volatile boolean busy;

  /**
   * @param options the {@code fleet:} section
   * @param thingName the thing name in the topics
   * @param dataDir the daemon's data directory; the agent keeps {@code fleet/} in it
   * @param host the running daemon
   */
  public FleetAgent(
      FleetOptions options,
      String thingName,
      Path dataDir,
      FleetHost host,
      MeterRegistry registry,
      Clock clock) {
    this.options = options;
    this.host = host;
    this.fleetDir = dataDir.resolve("fleet");
    this.clock = clock;
    this.topics = new JobsTopics(thingName);
    this.protocol = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "outpost-fleet"));
    protocol.setRemoveOnCancelPolicy(true);
    this.applyThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "outpost-fleet-apply"));
    this.metrics = new FleetMetrics(registry, () -> fetcher == null ? 0 : fetcher.diskBytes());
    JobsClient.Publisher publisher =
        (topic, payload, retain) -> host.cloud().publishControl(topic, payload, retain);
    this.jobs =
        new JobsClient(
            topics, publisher, protocol, this::onExecution, terminal::add, this::onNotifyNext);
    this.reporter =
        new ShadowReporter(
            host,
            topics,
            publisher,
            protocol,
            options,
            () ->
                journal == null
                    ? new State(null, null, List.of(), null, Map.of(), null)
                    : journal.state(),
            metrics,
            clock);
  }

  /** The configuration with the overlay of the last fleet deployment laid over it (at start). */
  public static OutpostConfig withOverlay(OutpostConfig config, Path dataDir)
      throws ConfigException, IOException {
    return ConfigOverlay.applyTo(config, ConfigOverlay.read(dataDir.resolve("fleet")));
  }

  /** What the cloud link must subscribe to and deliver here; register it before the link starts. */
  public ControlChannel channel() {
    return new ControlChannel(
        List.of(topics.jobsPrefix() + "#"),
        message -> {
          protocol.execute(() -> onMessage(message));
          return CompletableFuture.completedFuture(null);
        },
        this::onOnline);
  }

  /**
   * Opens the journal and recovers an apply a restart interrupted after its switch (restoring the
   * previous set). Fails when the trust anchors or the journal cannot be read.
   */
  public CompletableFuture<Void> start() {
    return CompletableFuture.runAsync(
        () -> {
          try {
            journal = JobJournal.open(fleetDir);
            Signatures signatures =
                Signatures.load(options.trustAnchors().stream().map(Path::of).toList());
            fetcher =
                new ArtifactFetcher(
                    fleetDir.resolve("artifacts"),
                    options,
                    signatures,
                    metrics,
                    HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .connectTimeout(Duration.ofSeconds(options.downloadTimeoutSeconds()))
                        .build());
            applier = new DeploymentApplier(host, fetcher, journal, fleetDir, options, clock);
            recover();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
          }
          host.functions().addListener(info -> reporter.changed());
        },
        applyThread);
  }

  private void recover() throws IOException {
    Active active = journal.state().active();
    if (active == null || active.step().compareTo(Step.SWITCH) < 0) {
      return;
    }
    LOG.warn(
        "Fleet job {} was interrupted at step {}; restoring the functions and configuration it replaced",
        active.jobId(),
        active.step().name().toLowerCase());
    applier.rollback(active);
    finish(
        active.jobId(),
        nameOf(active),
        "FAILED",
        active.step().name().toLowerCase(),
        "interrupted by a restart at step "
            + active.step().name().toLowerCase()
            + "; previous set restored",
        null);
  }

  private void onOnline() {
    reporter.now();
    applyThread.execute(
        () -> {
          if (!busy) {
            sendOutboxThenNext();
          }
        });
  }

  private void onNotifyNext() {
    if (!busy) {
      jobs.startNext();
    }
  }

  private void onMessage(CloudMessage message) {
    if (message.topic().startsWith(topics.jobsPrefix())) {
      jobs.onMessage(message);
    }
  }

  private void onExecution(JsonNode execution) {
    busy = true;
    applyThread.execute(
        () -> {
          try {
            handle(execution);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (IOException | RuntimeException e) {
            LOG.error("Fleet job {} could not be handled", execution.path("jobId").asText(), e);
          } finally {
            busy = false;
          }
        });
  }

  private void handle(JsonNode execution) throws InterruptedException, IOException {
    String jobId = execution.get("jobId").asText();
    State state = journal.state();
    String done = state.finishedStatus(jobId);
    if (done != null) {
      if (state.outbox() != null && state.outbox().jobId().equals(jobId)) {
        return; // its final status is on its way; the next job is asked for once it is acknowledged
      }
      LOG.info("Fleet job {} was already applied here ({}); not applying it again", jobId, done);
      journal.write(state.withOutbox(new Report(jobId, done, Map.of("reason", "already applied"))));
      sendOutboxThenNext();
      return;
    }
    Active active = state.active();
    if (active != null && !active.jobId().equals(jobId)) {
      LOG.warn(
          "Fleet job {} was interrupted before its switch and is no longer next; dropping it",
          active.jobId());
      journal.write(state.withActive(null));
      active = null;
    }
    JsonNode documentJson = execution.get("jobDocument");
    DeploymentDocument document;
    try {
      if (documentJson == null) {
        throw new DeploymentException("", "the job has no document");
      }
      document = parser.parse(documentJson);
    } catch (DeploymentException e) {
      LOG.warn("Fleet job {} rejected: {}", jobId, e.getMessage());
      finish(jobId, "", "REJECTED", "validate", e.getMessage(), null);
      sendOutboxThenNext();
      return;
    }
    if (active == null) {
      String newer = supersededBy(execution);
      if (newer != null) {
        finish(jobId, document.name(), "REJECTED", "validate", "superseded by job " + newer, null);
        sendOutboxThenNext();
        return;
      }
      active =
          new Active(
              jobId,
              execution.path("versionNumber").asLong(),
              Step.DOWNLOAD,
              documentJson,
              Map.of(),
              null);
      journal.write(journal.state().withActive(active));
    }
    LOG.info(
        "Fleet job {} ({}): applying {} function(s){}",
        jobId,
        document.name(),
        document.functions().size(),
        document.routes() == null ? "" : " and routes");
    reporter.changed();
    try {
      boolean applied =
          applier.apply(
              active,
              document,
              (step, detail) ->
                  jobs.update(jobId, "IN_PROGRESS", Map.of("step", step, "detail", detail)),
              () -> canceled(jobId));
      if (!applied) {
        LOG.info("Fleet job {} was canceled before its switch; nothing changed", jobId);
        metrics.job("canceled");
        journal.write(
            journal
                .state()
                .finished(
                    new Report(jobId, "CANCELED", Map.of()),
                    last(jobId, document.name(), "CANCELED", "stage", "canceled before the switch"),
                    null,
                    null));
        journal.write(journal.state().withOutbox(null));
        reporter.changed();
        jobs.startNext();
        return;
      }
      Map<String, String> deployed = new LinkedHashMap<>(journal.state().deployed());
      deployed.putAll(DeploymentApplier.versions(document));
      finish(jobId, document.name(), "SUCCEEDED", null, null, deployed);
    } catch (StepFailure e) {
      LOG.warn(
          "Fleet job {} failed at step {}: {}; the previous set runs",
          jobId,
          e.step(),
          e.getMessage());
      finish(jobId, document.name(), "FAILED", e.step(), e.getMessage(), null);
    }
    sendOutboxThenNext();
  }

  /** A job queued after this one, which replaces it, or null. */
  private String supersededBy(JsonNode execution) throws InterruptedException {
    long queuedAt = execution.path("queuedAt").asLong(0);
    try {
      JsonNode pending = jobs.pending().get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      for (JsonNode queued : pending.path("queuedJobs")) {
        if (queued.path("queuedAt").asLong(0) > queuedAt
            && !queued.path("jobId").asText().equals(execution.path("jobId").asText())) {
          return queued.path("jobId").asText();
        }
      }
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.debug("Pending jobs not known ({}); applying", e.toString());
    }
    return null;
  }

  private boolean canceled(String jobId) {
    if (terminal.contains(jobId)) {
      return true;
    }
    try {
      JsonNode execution =
          jobs.describe(jobId).get(CHECK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return GONE.contains(execution.path("status").asText());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false; // offline: nothing says it was canceled; the switch goes ahead
    }
  }

  private void finish(
      String jobId,
      String name,
      String status,
      String step,
      String reason,
      Map<String, String> deployed)
      throws IOException {
    Map<String, String> details = new LinkedHashMap<>();
    if (step != null) {
      details.put("step", step);
    }
    if (reason != null) {
      details.put("reason", reason);
    }
    metrics.job(status.toLowerCase());
    journal.write(
        journal
            .state()
            .finished(
                new Report(jobId, status, details),
                last(jobId, name, status, step, reason),
                deployed,
                deployed == null ? null : ConfigOverlay.revision(host.config())));
    reporter.changed();
  }

  private Last last(String jobId, String name, String status, String step, String reason) {
    return new Last(
        jobId, name == null ? "" : name, status, step, reason, clock.instant().toString());
  }

  /**
   * Sends the final status still owed to the cloud; asks for the next job once it is acknowledged.
   */
  private void sendOutboxThenNext() {
    Report report = journal.state().outbox();
    if (report == null) {
      jobs.startNext();
      return;
    }
    jobs.update(report.jobId(), report.status(), report.details())
        .whenComplete(
            (accepted, error) -> {
              if (error != null) {
                return; // offline: sent again on reconnection
              }
              applyThread.execute(
                  () -> {
                    try {
                      State now = journal.state();
                      if (now.outbox() != null && now.outbox().jobId().equals(report.jobId())) {
                        journal.write(now.withOutbox(null));
                      }
                    } catch (IOException e) {
                      LOG.error("Fleet journal write failed", e);
                    }
                    jobs.startNext();
                  });
            });
  }

  private static String nameOf(Active active) {
    return active.document() == null ? "" : active.document().path("name").asText("");
  }

  /**
   * Stops both threads; an apply in progress is left to the journal's recovery at the next start.
   * Idempotent.
   */
  public CompletableFuture<Void> stop() {
    return CompletableFuture.runAsync(
        () -> {
          protocol.shutdownNow();
          applyThread.shutdownNow();
          try {
            protocol.awaitTermination(5, TimeUnit.SECONDS);
            applyThread.awaitTermination(5, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        r -> new Thread(r, "outpost-fleet-stop").start());
  }
}
