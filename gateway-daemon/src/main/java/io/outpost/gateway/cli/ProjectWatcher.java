package io.outpost.gateway.cli;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Watches a function project's tree for edits, ignoring build output ({@code target/}, {@code
 * build/}), version control, caches and editors' swap files, and reports one change per burst of
 * events: an editor's save or a {@code git checkout} is many events but one rebuild.
 */
final class ProjectWatcher implements AutoCloseable {

  /** Directories that hold build output or tool state, never sources. */
  static final Set<String> IGNORED_DIRS =
      Set.of("target", "build", "out", "node_modules", "__pycache__", ".git", ".idea", ".gradle");

  private final Path root;
  private final WatchService watcher;
  private final Duration quiet;

  /**
   * @param root the project directory
   * @param quiet how long the tree must stay still before a change is reported (the debounce)
   */
  ProjectWatcher(Path root, Duration quiet) throws IOException {
    this.root = root;
    this.quiet = quiet;
    this.watcher = FileSystems.getDefault().newWatchService();
    registerTree(root);
  }

  /**
   * Waits until a source file changed and the tree then stayed still for the quiet time.
   *
   * @return the first changed path (relative to the project), or null when {@code max} passed or
   *     the watcher was closed
   */
  Path awaitChange(Duration max) throws InterruptedException {
    Path first = null;
    long deadline = System.nanoTime() + max.toNanos();
    try {
      while (true) {
        long wait = first == null ? deadline - System.nanoTime() : quiet.toNanos();
        if (wait <= 0) {
          return first;
        }
        WatchKey key = watcher.poll(wait, TimeUnit.NANOSECONDS);
        if (key == null) {
          return first; // timed out, or quiet after a change
        }
        Path dir = (Path) key.watchable();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
            first = first == null ? Path.of(".") : first;
            continue;
          }
          Path changed = dir.resolve((Path) event.context());
          if (ignored(changed)) {
            continue;
          }
          if (event.kind() == StandardWatchEventKinds.ENTRY_CREATE && Files.isDirectory(changed)) {
            registerQuietly(changed);
          }
          if (first == null) {
            first = root.relativize(changed);
          }
        }
        key.reset();
      }
    } catch (ClosedWatchServiceException e) {
      return null;
    }
  }

  /** True for paths a rebuild must not react to. */
  boolean ignored(Path path) {
    Path rel = root.relativize(path);
    for (Path part : rel) {
      if (IGNORED_DIRS.contains(part.toString())) {
        return true;
      }
    }
    String name = path.getFileName().toString();
    return name.startsWith(".#")
        || name.endsWith("~")
        || name.endsWith(".swp")
        || name.endsWith(".swx")
        || name.endsWith(".tmp")
        || name.endsWith(".pyc");
  }

  private void registerTree(Path start) throws IOException {
    Files.walkFileTree(
        start,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (!dir.equals(root) && ignored(dir)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            dir.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private void registerQuietly(Path dir) {
    try {
      registerTree(dir);
    } catch (IOException e) {
      // gone again (a build's temporary directory): nothing to watch
    }
  }

  @Override
  public void close() throws IOException {
    watcher.close();
  }
}
