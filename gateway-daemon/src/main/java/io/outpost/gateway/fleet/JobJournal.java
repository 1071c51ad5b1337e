package io.outpost.gateway.fleet;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet agent's durable memory, {@code <data>/fleet/journal.json}: the job being applied and
 * the step it reached (with what ran before it, for a rollback), the final status not yet
 * acknowledged by the cloud, the last jobs that ended (so a redelivered job is not applied twice)
 * and what the last deployment installed (for drift). Every change is written to a temporary file,
 * fsync'd, renamed over the journal and the directory fsync'd, so a power cut leaves either the old
 * or the new journal. Used from the fleet worker thread only.
 */
final class JobJournal {

  /** How many finished job ids are remembered for de-duplication. */
  static final int FINISHED_KEPT = 100;

  /** Apply steps, in order. A restart in a step at or after {@link Step#SWITCH} rolls back. */
  enum Step {
    DOWNLOAD,
    STAGE,
    SWITCH,
    HEALTH
  }

  /**
   * The job being applied.
   *
   * @param previousFunctions function → version before the switch (null: the function did not
   *     exist)
   * @param previousOverlay the fleet configuration overlay before the switch (null: none)
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record Active(
      String jobId,
      long versionNumber,
      Step step,
      JsonNode document,
      Map<String, String> previousFunctions,
      JsonNode previousOverlay) {
    Active at(Step next) {
      return new Active(jobId, versionNumber, next, document, previousFunctions, previousOverlay);
    }
  }

  /** A job status update to (re)send until the cloud acknowledged it. */
  record Report(String jobId, String status, Map<String, String> details) {}

  /** How the last deployment ended. */
  record Last(String jobId, String name, String status, String step, String reason, String at) {}

  /**
   * The whole journal; every change is a new value.
   *
   * @param finished the last jobs that ended, as {@code "<jobId> <STATUS>"}, oldest first
   */
  record State(
      Active active,
      Report outbox,
      List<String> finished,
      Last last,
      Map<String, String> deployed,
      String deployedConfigRevision) {
    State {
      finished = finished == null ? List.of() : List.copyOf(finished);
      deployed = deployed == null ? Map.of() : deployed;
    }

    /** The final status of {@code jobId} if it ended here, else null. */
    String finishedStatus(String jobId) {
      for (String e : finished) {
        if (e.startsWith(jobId + " ")) {
          return e.substring(jobId.length() + 1);
        }
      }
      return null;
    }

    State withActive(Active a) {
      return new State(a, outbox, finished, last, deployed, deployedConfigRevision);
    }

    State withOutbox(Report r) {
      return new State(active, r, finished, last, deployed, deployedConfigRevision);
    }

    /** The job ended: no longer active, its final status to send, remembered as finished. */
    State finished(Report report, Last result, Map<String, String> nowDeployed, String revision) {
      List<String> done = new ArrayList<>(finished);
      done.removeIf(e -> e.startsWith(report.jobId() + " "));
      done.add(report.jobId() + " " + report.status());
      while (done.size() > FINISHED_KEPT) {
        done.remove(0);
      }
      return new State(
          null,
          report,
          done,
          result,
          nowDeployed == null ? deployed : nowDeployed,
          nowDeployed == null ? deployedConfigRevision : revision);
    }
  }

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Path file;
  private State state;

  private JobJournal(Path file, State state) {
    this.file = file;
    this.state = state;
  }

  /** Opens the journal in {@code dir}, creating an empty one. */
  static JobJournal open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve("journal.json");
    Files.deleteIfExists(dir.resolve("journal.json.tmp"));
    State state =
        Files.isRegularFile(file)
            ? JSON.readValue(file.toFile(), State.class)
            : new State(null, null, List.of(), null, Map.of(), null);
    return new JobJournal(file, state);
  }

  State state() {
    return state;
  }

  /** Makes {@code next} the journal's state, durably, before returning. */
  void write(State next) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(next)));
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(file.getParent());
    state = next;
  }

  /** Writes {@code bytes} to {@code target} the same durable way (the configuration overlay). */
  static void writeDurably(Path target, byte[] bytes) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(target.getParent());
  }

  static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
