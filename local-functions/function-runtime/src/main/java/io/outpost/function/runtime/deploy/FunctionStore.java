package io.outpost.function.runtime.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.durable.DurableFiles;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.descriptor.FunctionPackage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Deployed functions on disk, under {@code <storage dir>/functions}: {@code <name>/state.json}
 * lists the kept versions oldest first and names the active one (the newest when it names none, as
 * files written before activation existed do), and {@code <name>/v<seq>-<version>/} holds each
 * one's package. Each deploy gets a fresh directory so a running version's open files are never
 * overwritten; state.json is replaced atomically, and a package is synced before state.json names
 * it, so a power cut leaves the previous or the new state. Called only under the runtime's admin
 * lock.
 */
public final class FunctionStore {

  /** One stored version. */
  record StoredVersion(String version, String dir) {}

  /**
   * The content of state.json.
   *
   * @param versions kept versions, oldest first
   * @param active directory of the active version; null means the newest
   */
  record StoredFunction(List<StoredVersion> versions, String active) {

    StoredVersion activeVersion() {
      for (StoredVersion v : versions) {
        if (v.dir().equals(active)) {
          return v;
        }
      }
      return versions.isEmpty() ? null : versions.get(versions.size() - 1);
    }
  }

  private static final String STATE = "state.json";

  /**
   * Reads fields it does not know past: a state file written by a newer build (a field added) still
   * loads after a downgrade to this one, with what this build understands.
   */
  private final ObjectMapper json =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path root;

  FunctionStore(Path root) {
    this.root = root;
  }

  /** Names of functions with a state file. */
  List<String> names() throws IOException {
    Files.createDirectories(root);
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve(STATE)))
          .map(d -> d.getFileName().toString())
          .sorted()
          .toList();
    }
  }

  /** Stored versions of a function, oldest first; empty if none. */
  List<StoredVersion> versions(String name) throws IOException {
    return state(name).versions();
  }

  /** The state of a function: its versions and the active one; no versions if none. */
  StoredFunction state(String name) throws IOException {
    Path state = root.resolve(name).resolve(STATE);
    if (!Files.isRegularFile(state)) {
      return new StoredFunction(List.of(), null);
    }
    return json.readValue(state.toFile(), StoredFunction.class);
  }

  Path versionDir(String name, StoredVersion version) {
    return root.resolve(name).resolve(version.dir());
  }

  /**
   * Copies a package in as the newest version, leaving the active one as it was (a power cut before
   * {@link #activate} restarts the old version); returns it.
   */
  StoredVersion add(Path source, FunctionDescriptor descriptor) throws IOException {
    String name = descriptor.name();
    Path functionDir = Files.createDirectories(root.resolve(name));
    StoredFunction state = state(name);
    List<StoredVersion> versions = new ArrayList<>(state.versions());
    long seq =
        versions.stream()
                .mapToLong(v -> Long.parseLong(v.dir().substring(1, v.dir().indexOf('-'))))
                .max()
                .orElse(0)
            + 1;
    StoredVersion added =
        new StoredVersion(descriptor.version(), "v" + seq + "-" + descriptor.version());
    Path staging = functionDir.resolve(added.dir() + ".tmp");
    deleteTree(staging);
    Files.createDirectories(staging);
    if (Files.isDirectory(source)) {
      copyTree(source, staging.resolve(FunctionPackage.DIR_NAME));
    } else {
      Files.copy(source, staging.resolve(FunctionPackage.JAR_NAME));
    }
    // the package and its name durable before state.json names it: a power cut leaves the old or
    // the new state
    DurableFiles.fsyncTree(staging);
    DurableFiles.moveAtomically(staging, functionDir.resolve(added.dir()));
    DurableFiles.fsyncDirectory(root);
    DurableFiles.fsyncDirectory(root.toAbsolutePath().getParent());
    StoredVersion active = state.activeVersion();
    versions.add(added);
    write(name, versions, active == null ? added.dir() : active.dir());
    return added;
  }

  /**
   * Makes {@code version} the active one; drops other versions with its label, then the oldest
   * beyond {@code retained} (never the active one). Returns the versions dropped.
   */
  List<StoredVersion> activate(String name, StoredVersion version, int retained)
      throws IOException {
    List<StoredVersion> versions = new ArrayList<>(versions(name));
    List<StoredVersion> dropped = new ArrayList<>();
    versions.removeIf(
        v -> {
          boolean same = v.version().equals(version.version()) && !v.equals(version);
          if (same) {
            dropped.add(v);
          }
          return same;
        });
    for (int i = 0; versions.size() > retained && i < versions.size(); ) {
      if (versions.get(i).equals(version)) {
        i++;
      } else {
        dropped.add(versions.remove(i));
      }
    }
    write(name, versions, version.dir());
    for (StoredVersion old : dropped) {
      deleteTree(versionDir(name, old));
    }
    return dropped;
  }

  /** Forgets a version that could not be activated and deletes its files. */
  void discard(String name, StoredVersion version) throws IOException {
    StoredFunction state = state(name);
    List<StoredVersion> versions = new ArrayList<>(state.versions());
    versions.remove(version);
    if (versions.isEmpty()) {
      remove(name);
      return;
    }
    StoredVersion active = state.activeVersion();
    write(name, versions, active == null || active.equals(version) ? null : active.dir());
    deleteTree(versionDir(name, version));
  }

  /** Deletes every stored version of a function. */
  void remove(String name) throws IOException {
    Path dir = root.resolve(name);
    Files.deleteIfExists(dir.resolve(STATE));
    DurableFiles.fsyncDirectory(dir);
    deleteTree(dir);
  }

  private void write(String name, List<StoredVersion> versions, String active) throws IOException {
    DurableFiles.writeAtomically(
        root.resolve(name).resolve(STATE),
        json.writeValueAsBytes(new StoredFunction(versions, active)),
        null);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
