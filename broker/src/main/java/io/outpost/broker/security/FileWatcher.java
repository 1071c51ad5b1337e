package io.outpost.broker.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls groups of files (a digest of their content) on one named thread and runs a group's action
 * when any of its files changed. An action that reports failure is retried on the next poll, so a
 * certificate renewed in two steps (certificate, then key) is applied once both are in place.
 * Polling rather than a watch service also sees files replaced through symlinks.
 */
final class FileWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FileWatcher.class);
  static final String THREAD_NAME = "outpost-security-files";

  private final Duration interval;
  private final List<Group> groups = new CopyOnWriteArrayList<>();
  private ScheduledExecutorService executor;

  FileWatcher(Duration interval) {
    this.interval = interval;
  }

  /**
   * Watches {@code files}; {@code action} runs on the watcher thread and returns whether the change
   * was applied.
   */
  void watch(List<Path> files, BooleanSupplier action) {
    groups.add(new Group(List.copyOf(files), action, stamp(files)));
  }

  synchronized void start() {
    if (executor != null) {
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, THREAD_NAME);
              t.setDaemon(true);
              return t;
            });
    executor.scheduleWithFixedDelay(
        this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Checks every group now (also what the timer calls). */
  void poll() {
    for (Group g : groups) {
      List<Object> now = stamp(g.files);
      if (Objects.equals(now, g.applied)) {
        continue;
      }
      boolean applied;
      try {
        applied = g.action.getAsBoolean();
      } catch (RuntimeException e) {
        LOG.error("applying changed {} failed", g.files, e);
        applied = false;
      }
      if (applied) {
        g.applied = now;
      }
    }
  }

  @Override
  public synchronized void close() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("{} did not stop within 10 s", THREAD_NAME);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor = null;
  }

  /**
   * Content digests: certificate and password files are small, and content never misses a same-size
   * rewrite.
   */
  private static List<Object> stamp(List<Path> files) {
    List<Object> stamp = new ArrayList<>();
    for (Path f : files) {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f));
        stamp.add(HexFormat.of().formatHex(digest));
      } catch (NoSuchFileException e) {
        stamp.add("missing");
      } catch (IOException e) {
        stamp.add("unreadable: " + e.getMessage());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 missing from the JDK", e);
      }
    }
    return stamp;
  }

  private static final class Group {
    final List<Path> files;
    final BooleanSupplier action;
    volatile List<Object> applied;

    Group(List<Path> files, BooleanSupplier action, List<Object> applied) {
      this.files = files;
      this.action = action;
      this.applied = applied;
    }
  }
}
