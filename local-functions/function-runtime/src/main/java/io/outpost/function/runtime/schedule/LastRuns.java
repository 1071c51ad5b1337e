package io.outpost.function.runtime.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.durable.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The planned time of each {@code catchUp: true} function's last scheduled run, one small JSON file
 * per function ({@code <dir>/<name>.json}), replaced atomically and fsync'd so a power cut leaves
 * the previous or the new time. Read once when the function's schedule is first armed.
 */
final class LastRuns {

  private static final Logger LOG = LoggerFactory.getLogger(LastRuns.class);

  /** The file's content. */
  record LastRun(String lastRun) {}

  private final ObjectMapper json = new ObjectMapper();
  private final Path dir;

  LastRuns(Path dir) {
    this.dir = dir;
  }

  /** The recorded time, if any; an unreadable file counts as none (and is logged). */
  Optional<Instant> read(String function) {
    Path file = file(function);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(json.readValue(file.toFile(), LastRun.class).lastRun()));
    } catch (IOException | DateTimeParseException | NullPointerException e) {
      LOG.warn("function {}: ignoring unreadable last scheduled run in {}", function, file, e);
      return Optional.empty();
    }
  }

  /** Records {@code time} durably. */
  void write(String function, Instant time) throws IOException {
    Files.createDirectories(dir);
    DurableFiles.writeAtomically(
        file(function), json.writeValueAsBytes(new LastRun(time.toString())), null);
  }

  /** Forgets a removed function. */
  void delete(String function) throws IOException {
    if (Files.deleteIfExists(file(function))) {
      DurableFiles.fsyncDirectory(dir);
    }
  }

  private Path file(String function) {
    return dir.resolve(function + ".json");
  }
}
