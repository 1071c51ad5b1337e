package io.outpost.function.runtime.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.durable.DurableFiles;
import io.outpost.function.runtime.FunctionDeploymentException;
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
 * lists the stored versions oldest first (the last is active) and {@code <name>/v<seq>-<version>/}
 * holds each one's package. Each deploy gets a fresh directory so a running version's open files
 * are never overwritten; state.json is replaced atomically, and a package is synced before
 * state.json names it, so a power cut leaves the previous or the new state. Called only under the
 * runtime's admin lock.
 */
public final class FunctionStore {

  /** One stored version. */
  record StoredVersion(String version, String dir) {}

  /** The content of state.json. */
  record StoredFunction(List<StoredVersion> versions) {}

  private static final String STATE = "state.json";
  private final ObjectMapper json = new ObjectMapper();
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
    Path state = root.resolve(name).resolve(STATE);
    if (!Files.isRegularFile(state)) {
      return List.of();
    }
    return json.readValue(state.toFile(), StoredFunction.class).versions();
  }

  Path versionDir(String name, StoredVersion version) {
    return root.resolve(name).resolve(version.dir());
  }

  /**
   * Copies a package in as the newest version, keeping at most {@code retained} versions; returns
   * it.
   */
  StoredVersion add(Path source, FunctionDescriptor descriptor, int retained) throws IOException {
    String name = descriptor.name();
    Path functionDir = Files.createDirectories(root.resolve(name));
    List<StoredVersion> versions = new ArrayList<>(versions(name));
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
    versions.removeIf(v -> v.version().equals(added.version()));
    versions.add(added);
    List<StoredVersion> dropped = new ArrayList<>();
    while (versions.size() > retained) {
      dropped.add(versions.remove(0));
    }
    write(name, versions);
    for (StoredVersion old : dropped) {
      deleteTree(versionDir(name, old));
    }
    return added;
  }

  /** Drops the newest version and returns the new newest one (the rollback target). */
  StoredVersion dropNewest(String name) throws IOException {
    List<StoredVersion> versions = new ArrayList<>(versions(name));
    if (versions.size() < 2) {
      throw new FunctionDeploymentException(name + ": no previous version to roll back to");
    }
    StoredVersion dropped = versions.remove(versions.size() - 1);
    write(name, versions);
    deleteTree(versionDir(name, dropped));
    return versions.get(versions.size() - 1);
  }

  /** Deletes every stored version of a function. */
  void remove(String name) throws IOException {
    Path dir = root.resolve(name);
    Files.deleteIfExists(dir.resolve(STATE));
    DurableFiles.fsyncDirectory(dir);
    deleteTree(dir);
  }

  private void write(String name, List<StoredVersion> versions) throws IOException {
    DurableFiles.writeAtomically(
        root.resolve(name).resolve(STATE),
        json.writeValueAsBytes(new StoredFunction(versions)),
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
