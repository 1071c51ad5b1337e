package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outpost.cloud.CloudMessage;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device side of the AWS IoT Jobs MQTT API: requests ({@code start-next}, {@code get}, {@code
 * {jobId}/get}) with their {@code accepted}/{@code rejected} responses matched by {@code
 * clientToken}, and status updates sent one at a time per job with {@code expectedVersion} (a
 * {@code VersionMismatch} re-reads the version and resends). Runs on the fleet protocol thread;
 * publishing is through the cloud link, never blocking.
 */
final class JobsClient {

  private static final Logger LOG = LoggerFactory.getLogger(JobsClient.class);
  static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final long REQUEST_TIMEOUT_SECONDS = 10;

  /** Publishes a control message (through the cloud link); fails while offline. */
  interface Publisher {
    CompletableFuture<Void> publish(String topic, byte[] payload, boolean retain);
  }

  /** An update to send; {@code done} completes when the cloud accepted it (or it became moot). */
  private record Update(
      String jobId, String status, Map<String, String> details, CompletableFuture<Boolean> done) {}

  private final JobsTopics topics;
  private final Publisher publisher;
  private final ScheduledExecutorService thread;
  private final Map<String, CompletableFuture<JsonNode>> requests = new HashMap<>();
  private final Map<String, Long> versions = new HashMap<>();
  private final Map<String, Deque<Update>> updates = new HashMap<>();
  private final Map<String, Update> inFlight = new HashMap<>();
  private final Consumer<JsonNode> onExecution;
  private final Consumer<String> onTerminal;
  private final Runnable onNotifyNext;

  /**
   * @param onExecution gets each job execution from {@code start-next} (with its document)
   * @param onTerminal gets the id of a job the cloud says is already terminal (canceled, removed,
   *     timed out)
   * @param onNotifyNext runs when the next pending job changed
   */
  JobsClient(
      JobsTopics topics,
      Publisher publisher,
      ScheduledExecutorService thread,
      Consumer<JsonNode> onExecution,
      Consumer<String> onTerminal,
      Runnable onNotifyNext) {
    this.topics = topics;
    this.publisher = publisher;
    this.thread = thread;
    this.onExecution = onExecution;
    this.onTerminal = onTerminal;
    this.onNotifyNext = onNotifyNext;
  }

  /** Asks for the next pending job; the answer arrives through {@code onExecution}. */
  void startNext() {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("statusDetails").put("step", "received");
    request(topics.startNext(), body)
        .thenAccept(
            response -> {
              JsonNode execution = response.get("execution");
              if (execution != null && execution.hasNonNull("jobId")) {
                remember(execution);
                onExecution.accept(execution);
              }
            });
  }

  /** The execution of {@code jobId} as the cloud has it now (its status tells a cancellation). */
  CompletableFuture<JsonNode> describe(String jobId) {
    ObjectNode body = JSON.createObjectNode().put("includeJobDocument", false);
    return request(topics.describe(jobId), body)
        .thenApply(
            r -> {
              JsonNode execution = r.path("execution");
              remember(execution);
              return execution;
            });
  }

  /** The pending executions ({@code inProgressJobs}, {@code queuedJobs}). */
  CompletableFuture<JsonNode> pending() {
    return request(topics.pending(), JSON.createObjectNode());
  }

  /**
   * Queues a status update; progress updates still waiting are replaced by newer ones. Completes
   * true when accepted, false when the cloud says the job is already terminal; fails while offline.
   */
  CompletableFuture<Boolean> update(String jobId, String status, Map<String, String> details) {
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    thread.execute(
        () -> {
          Deque<Update> queue = updates.computeIfAbsent(jobId, k -> new ArrayDeque<>());
          queue.removeIf(u -> u.status().equals("IN_PROGRESS") && u.done().complete(true));
          queue.add(new Update(jobId, status, details, done));
          pump(jobId);
        });
    return done;
  }

  /** Handles a message on the jobs topics. Runs on the protocol thread. */
  void onMessage(CloudMessage message) {
    String topic = message.topic();
    String rest = topic.substring(topics.jobsPrefix().length());
    JsonNode body;
    try {
      body = JSON.readTree(message.payload());
    } catch (IOException e) {
      LOG.warn("Ignoring a jobs message on {} that is not JSON", topic);
      return;
    }
    if (rest.equals("notify-next")) {
      onNotifyNext.run();
      return;
    }
    String token = body.path("clientToken").asText("");
    if (rest.endsWith("/accepted") || rest.endsWith("/rejected")) {
      boolean accepted = rest.endsWith("/accepted");
      Update update = inFlight.get(token);
      if (update != null) {
        inFlight.remove(token);
        updated(update, accepted, body);
        return;
      }
      CompletableFuture<JsonNode> request = requests.remove(token);
      if (request != null) {
        if (accepted) {
          request.complete(body);
        } else {
          request.completeExceptionally(
              new IllegalStateException(
                  body.path("code").asText("rejected") + ": " + body.path("message").asText("")));
        }
      }
    }
  }

  private void updated(Update update, boolean accepted, JsonNode body) {
    String jobId = update.jobId();
    if (accepted) {
      JsonNode state = body.path("executionState");
      if (state.has("versionNumber")) {
        versions.put(jobId, state.get("versionNumber").asLong());
      } else if (versions.containsKey(jobId)) {
        versions.merge(jobId, 1L, Long::sum);
      }
      update.done().complete(true);
      pump(jobId);
      return;
    }
    String code = body.path("code").asText("");
    if (code.equals("VersionMismatch")) {
      // someone else moved the execution on: read its version and send the same update again
      describe(jobId)
          .whenComplete(
              (execution, error) ->
                  thread.execute(
                      () -> {
                        updates.computeIfAbsent(jobId, k -> new ArrayDeque<>()).addFirst(update);
                        pump(jobId);
                      }));
      return;
    }
    LOG.warn(
        "Job {}: update to {} rejected ({} {})",
        jobId,
        update.status(),
        code,
        body.path("message").asText(""));
    update.done().complete(false);
    if (code.equals("TerminalStateReached")
        || code.equals("InvalidStateTransition")
        || code.equals("ResourceNotFound")) {
      Deque<Update> dropped = updates.remove(jobId);
      if (dropped != null) {
        dropped.forEach(u -> u.done().complete(false));
      }
      onTerminal.accept(jobId);
    } else {
      pump(jobId);
    }
  }

  private void pump(String jobId) {
    if (inFlight.values().stream().anyMatch(u -> u.jobId().equals(jobId))) {
      return;
    }
    Deque<Update> queue = updates.get(jobId);
    Update next = queue == null ? null : queue.poll();
    if (next == null) {
      return;
    }
    String token = UUID.randomUUID().toString();
    ObjectNode body = JSON.createObjectNode().put("status", next.status());
    ObjectNode details = body.putObject("statusDetails");
    next.details().forEach((k, v) -> details.put(k, v.length() > 1000 ? v.substring(0, 1000) : v));
    Long version = versions.get(jobId);
    if (version != null) {
      body.put("expectedVersion", version);
    }
    body.put("includeJobExecutionState", true).put("clientToken", token);
    inFlight.put(token, next);
    publish(topics.update(jobId), body)
        .whenComplete(
            (ok, error) ->
                thread.execute(
                    () -> {
                      if (error != null && inFlight.remove(token) != null) {
                        next.done().completeExceptionally(error);
                        // offline: what waits is stale by the next connection, where the final
                        // status is sent again
                        Deque<Update> dropped = updates.remove(jobId);
                        if (dropped != null) {
                          dropped.forEach(u -> u.done().completeExceptionally(error));
                        }
                      }
                    }));
    thread.schedule(
        () -> {
          if (inFlight.remove(token) != null) {
            next.done()
                .completeExceptionally(new IllegalStateException("no answer to the status update"));
            pump(jobId);
          }
        },
        REQUEST_TIMEOUT_SECONDS,
        TimeUnit.SECONDS);
  }

  private CompletableFuture<JsonNode> request(String topic, ObjectNode body) {
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    thread.execute(
        () -> {
          String token = UUID.randomUUID().toString();
          body.put("clientToken", token);
          requests.put(token, answer);
          publish(topic, body)
              .whenComplete(
                  (ok, error) -> {
                    if (error != null) {
                      thread.execute(() -> requests.remove(token));
                      answer.completeExceptionally(error);
                    }
                  });
          thread.schedule(
              () -> {
                if (requests.remove(token) != null) {
                  answer.completeExceptionally(new IllegalStateException("no answer on " + topic));
                }
              },
              REQUEST_TIMEOUT_SECONDS,
              TimeUnit.SECONDS);
        });
    return answer;
  }

  private CompletableFuture<Void> publish(String topic, ObjectNode body) {
    body.put("timestamp", System.currentTimeMillis() / 1000);
    try {
      return publisher.publish(topic, JSON.writeValueAsBytes(body), false);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void remember(JsonNode execution) {
    if (execution.hasNonNull("jobId") && execution.has("versionNumber")) {
      versions.put(execution.get("jobId").asText(), execution.get("versionNumber").asLong());
    }
  }
}
