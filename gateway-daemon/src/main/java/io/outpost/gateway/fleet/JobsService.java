package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs side of the AWS IoT Jobs MQTT API, for any MQTT broker: holds job executions per thing
 * and answers the gateways' {@code start-next}, {@code get}, {@code {jobId}/get} and {@code
 * {jobId}/update} requests as AWS IoT Jobs does (versions, {@code expectedVersion}, terminal
 * states, {@code notify-next}). {@code outpost fleet deploy} runs one for the duration of a
 * deployment; on AWS IoT Core the real service plays this part.
 */
public final class JobsService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobsService.class);
  private static final Set<String> TERMINAL =
      Set.of("SUCCEEDED", "FAILED", "REJECTED", "CANCELED", "TIMED_OUT", "REMOVED");
  private static final Set<String> DEVICE_STATUSES =
      Set.of("IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED");

  /**
   * One job execution as the service holds it.
   *
   * @param statusDetails the last details the gateway reported (step, reason …)
   */
  public record Execution(
      String thing,
      String jobId,
      String status,
      long versionNumber,
      Map<String, String> statusDetails,
      long queuedAt,
      long updatedAt,
      JsonNode document) {
    public boolean terminal() {
      return TERMINAL.contains(status);
    }

    Execution with(String nextStatus, Map<String, String> details, long now) {
      return new Execution(
          thing,
          jobId,
          nextStatus,
          versionNumber + 1,
          details == null ? statusDetails : details,
          queuedAt,
          now,
          document);
    }
  }

  private final MqttAsyncClient client;
  private final Consumer<Execution> onChange;
  private final Map<String, List<Execution>> byThing = new LinkedHashMap<>();
  private long messages;
  private long lastQueuedAt;

  /**
   * @param brokerUrl {@code tcp://host:port} or {@code ssl://…}
   * @param clientId this client's id on the broker
   * @param onChange called (on Paho's thread) after every status change
   */
  public JobsService(String brokerUrl, String clientId, Consumer<Execution> onChange)
      throws MqttException {
    this.client = new MqttAsyncClient(brokerUrl, clientId, new MemoryPersistence());
    this.onChange = onChange;
  }

  /** Connects and subscribes to every thing's jobs requests. */
  public void connect() throws MqttException {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setAutomaticReconnect(false);
    options.setMaxInflight(1000);
    client.setCallback(
        new MqttCallback() {
          @Override
          public void connectionLost(Throwable cause) {
            LOG.warn("jobs service lost its broker connection: {}", cause.toString());
          }

          @Override
          public void messageArrived(String topic, MqttMessage message) {
            try {
              onRequest(topic, message.getPayload());
            } catch (RuntimeException | IOException e) {
              LOG.warn("jobs request on {} not answered: {}", topic, e.toString());
            }
          }

          @Override
          public void deliveryComplete(IMqttDeliveryToken token) {}
        });
    client.connect(options).waitForCompletion(10_000);
    client.subscribe("$aws/things/+/jobs/#", 1).waitForCompletion(10_000);
  }

  /** Queues {@code document} as job {@code jobId} for each thing and notifies them. */
  public synchronized void queue(String jobId, List<String> things, JsonNode document) {
    long now =
        Math.max(
            System.currentTimeMillis(), lastQueuedAt + 1); // queue order stays visible in queuedAt
    lastQueuedAt = now;
    for (String thing : things) {
      Execution e = new Execution(thing, jobId, "QUEUED", 1, Map.of(), now, now, document);
      byThing.computeIfAbsent(thing, k -> new ArrayList<>()).add(e);
      onChange.accept(e);
      notifyNext(thing);
    }
  }

  /** Cancels a job's executions that are not terminal yet (as {@code aws iot cancel-job}). */
  public synchronized void cancel(String jobId) {
    long now = System.currentTimeMillis();
    byThing.forEach(
        (thing, list) -> {
          for (int i = 0; i < list.size(); i++) {
            Execution e = list.get(i);
            if (e.jobId().equals(jobId) && !e.terminal()) {
              list.set(i, e.with("CANCELED", null, now));
              onChange.accept(list.get(i));
              notifyNext(thing);
            }
          }
        });
  }

  /** Ends the executions still open as TIMED_OUT. */
  public synchronized void timeOut(String jobId) {
    long now = System.currentTimeMillis();
    byThing
        .values()
        .forEach(
            list ->
                list.replaceAll(
                    e ->
                        e.jobId().equals(jobId) && !e.terminal()
                            ? e.with("TIMED_OUT", null, now)
                            : e));
  }

  /** The executions of {@code jobId}, by thing. */
  public synchronized Map<String, Execution> executions(String jobId) {
    Map<String, Execution> out = new LinkedHashMap<>();
    byThing.forEach(
        (thing, list) ->
            list.stream()
                .filter(e -> e.jobId().equals(jobId))
                .findFirst()
                .ifPresent(e -> out.put(thing, e)));
    return out;
  }

  /** MQTT messages exchanged with gateways so far (both directions). */
  public synchronized long messages() {
    return messages;
  }

  private synchronized void onRequest(String topic, byte[] payload) throws IOException {
    String thing = JobsTopics.thingOf(topic);
    List<Execution> executions = byThing.get(thing);
    String rest = topic.substring(("$aws/things/" + thing + "/jobs/").length());
    if (executions == null
        || rest.endsWith("/accepted")
        || rest.endsWith("/rejected")
        || rest.startsWith("notify")) {
      return; // not ours, or our own answers
    }
    messages++;
    JsonNode request =
        payload.length == 0
            ? JobsClient.JSON.createObjectNode()
            : JobsClient.JSON.readTree(payload);
    String token = request.path("clientToken").asText(null);
    JobsTopics topics = new JobsTopics(thing);
    long now = System.currentTimeMillis();
    if (rest.equals("start-next")) {
      ObjectNode answer = answer(token);
      Optional<Execution> next = next(executions);
      if (next.isPresent()) {
        Execution e = next.get();
        if (e.status().equals("QUEUED")) {
          e =
              replace(
                  executions,
                  e,
                  e.with("IN_PROGRESS", details(request.path("statusDetails")), now));
        }
        answer.set("execution", execution(e, true));
      }
      publish(topics.startNext() + "/accepted", answer);
    } else if (rest.equals("get")) {
      ObjectNode answer = answer(token);
      ArrayNode inProgress = answer.putArray("inProgressJobs");
      ArrayNode queued = answer.putArray("queuedJobs");
      for (Execution e : executions) {
        if (e.status().equals("IN_PROGRESS")) {
          inProgress.add(summary(e));
        } else if (e.status().equals("QUEUED")) {
          queued.add(summary(e));
        }
      }
      publish(topics.pending() + "/accepted", answer);
    } else if (rest.endsWith("/get")) {
      String jobId = rest.substring(0, rest.length() - "/get".length());
      Optional<Execution> e = find(executions, jobId);
      if (e.isEmpty()) {
        publish(
            topics.describe(jobId) + "/rejected",
            rejection(token, "ResourceNotFound", "no such job"));
      } else {
        publish(
            topics.describe(jobId) + "/accepted",
            answer(token)
                .set(
                    "execution",
                    execution(e.get(), request.path("includeJobDocument").asBoolean(true))));
      }
    } else if (rest.endsWith("/update")) {
      update(
          executions,
          topics,
          rest.substring(0, rest.length() - "/update".length()),
          request,
          token,
          now);
    }
  }

  private void update(
      List<Execution> executions,
      JobsTopics topics,
      String jobId,
      JsonNode request,
      String token,
      long now)
      throws IOException {
    String rejected = topics.update(jobId) + "/rejected";
    Optional<Execution> found = find(executions, jobId);
    String status = request.path("status").asText("");
    if (found.isEmpty()) {
      publish(rejected, rejection(token, "ResourceNotFound", "no such job execution"));
      return;
    }
    Execution e = found.get();
    if (e.terminal()) {
      publish(rejected, rejection(token, "TerminalStateReached", "job execution is " + e.status()));
      return;
    }
    if (!DEVICE_STATUSES.contains(status)) {
      publish(
          rejected, rejection(token, "InvalidRequest", "status must be one of " + DEVICE_STATUSES));
      return;
    }
    if (request.has("expectedVersion")
        && request.get("expectedVersion").asLong() != e.versionNumber()) {
      ObjectNode r =
          rejection(
              token,
              "VersionMismatch",
              "expected version "
                  + request.get("expectedVersion")
                  + ", current "
                  + e.versionNumber());
      r.set("executionState", state(e));
      publish(rejected, r);
      return;
    }
    Execution next =
        replace(executions, e, e.with(status, details(request.path("statusDetails")), now));
    ObjectNode answer = answer(token);
    answer.set("executionState", state(next));
    publish(topics.update(jobId) + "/accepted", answer);
    if (next.terminal()) {
      notifyNext(next.thing());
    }
  }

  private Execution replace(List<Execution> executions, Execution old, Execution next) {
    executions.set(executions.indexOf(old), next);
    onChange.accept(next);
    return next;
  }

  private void notifyNext(String thing) {
    ObjectNode body = answer(null);
    next(byThing.get(thing)).ifPresent(e -> body.set("execution", execution(e, true)));
    try {
      publish(new JobsTopics(thing).notifyNext(), body);
    } catch (IOException e) {
      LOG.warn("notify-next for {} not sent: {}", thing, e.toString());
    }
  }

  private static Optional<Execution> next(List<Execution> executions) {
    return executions.stream()
        .filter(e -> e.status().equals("IN_PROGRESS"))
        .findFirst()
        .or(
            () ->
                executions.stream()
                    .filter(e -> e.status().equals("QUEUED"))
                    .min(Comparator.comparingLong(Execution::queuedAt)));
  }

  private static Optional<Execution> find(List<Execution> executions, String jobId) {
    return executions.stream().filter(e -> e.jobId().equals(jobId)).findFirst();
  }

  private static Map<String, String> details(JsonNode node) {
    Map<String, String> details = new LinkedHashMap<>();
    node.fields().forEachRemaining(f -> details.put(f.getKey(), f.getValue().asText()));
    return details;
  }

  private static ObjectNode answer(String token) {
    ObjectNode answer =
        JobsClient.JSON.createObjectNode().put("timestamp", System.currentTimeMillis() / 1000);
    if (token != null) {
      answer.put("clientToken", token);
    }
    return answer;
  }

  private static ObjectNode rejection(String token, String code, String message) {
    return answer(token).put("code", code).put("message", message);
  }

  private static ObjectNode state(Execution e) {
    ObjectNode state =
        JobsClient.JSON
            .createObjectNode()
            .put("status", e.status())
            .put("versionNumber", e.versionNumber());
    ObjectNode details = state.putObject("statusDetails");
    e.statusDetails().forEach(details::put);
    return state;
  }

  private static ObjectNode summary(Execution e) {
    return JobsClient.JSON
        .createObjectNode()
        .put("jobId", e.jobId())
        .put("queuedAt", e.queuedAt())
        .put("lastUpdatedAt", e.updatedAt())
        .put("versionNumber", e.versionNumber())
        .put("executionNumber", 1);
  }

  private static ObjectNode execution(Execution e, boolean withDocument) {
    ObjectNode x = summary(e).put("thingName", e.thing()).put("status", e.status());
    ObjectNode details = x.putObject("statusDetails");
    e.statusDetails().forEach(details::put);
    if (withDocument) {
      x.set("jobDocument", e.document());
    }
    return x;
  }

  private void publish(String topic, ObjectNode body) throws IOException {
    try {
      messages++;
      client.publish(topic, JobsClient.JSON.writeValueAsBytes(body), 1, false);
    } catch (MqttException e) {
      throw new IOException("publish on " + topic + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws MqttException {
    try {
      if (client.isConnected()) {
        client.disconnect(1000).waitForCompletion(2000);
      }
    } finally {
      client.close();
    }
  }
}
