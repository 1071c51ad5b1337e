package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sandbox on cgroups: a base cgroup per runtime (one per v1 hierarchy: memory, pids, cpu; one for
 * v2) and a child cgroup per function version under it.
 */
final class CgroupSandbox implements Sandbox {

  private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
  private static final int REMOVE_ATTEMPTS = 50;
  private static final long REMOVE_PAUSE_MILLIS = 20;

  private final SandboxMode mode;
  private final List<Path> bases;
  private final Set<CgroupConfinement> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger seq = new AtomicInteger();
  private volatile boolean closed;

  CgroupSandbox(SandboxMode mode, List<Path> bases) {
    this.mode = mode;
    this.bases = List.copyOf(bases);
  }

  @Override
  public SandboxMode mode() {
    return mode;
  }

  @Override
  public String describe() {
    return mode.yaml()
        + " ("
        + String.join(", ", bases.stream().map(Path::toString).toList())
        + ")";
  }

  @Override
  public Confinement confine(String id, ResolvedLimits limits) throws IOException {
    if (closed) {
      throw new IllegalStateException("sandbox closed");
    }
    String name = id.replaceAll("[^A-Za-z0-9._+-]", "_") + "-" + seq.incrementAndGet();
    List<Path> dirs = new ArrayList<>();
    try {
      for (Path base : bases) {
        dirs.add(Files.createDirectory(base.resolve(name)));
      }
      CgroupConfinement c =
          new CgroupConfinement(mode == SandboxMode.CGROUP_V2, dirs, limits, open::remove);
      c.apply();
      open.add(c);
      return c;
    } catch (IOException | RuntimeException e) {
      dirs.forEach(CgroupSandbox::removeQuietly);
      throw e;
    }
  }

  @Override
  public void close() {
    closed = true;
    for (CgroupConfinement c : List.copyOf(open)) {
      c.close();
    }
    bases.forEach(CgroupSandbox::removeTree);
  }

  /** Kills the processes in a cgroup tree and removes it, deepest first. */
  static void removeTree(Path dir) {
    List<Path> dirs;
    try (Stream<Path> walk = Files.walk(dir)) {
      dirs = walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
    } catch (IOException e) {
      return;
    }
    for (Path d : dirs) {
      killAll(List.of(d));
      removeQuietly(d);
    }
  }

  /**
   * SIGKILLs every process in the cgroups until none is left (a forking child may add some
   * meanwhile).
   */
  static void killAll(List<Path> dirs) {
    for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
      boolean any = false;
      for (Path dir : dirs) {
        for (long pid : CgroupFiles.procs(dir)) {
          any = true;
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
      if (!any) {
        return;
      }
      pause();
    }
    LOG.error("processes keep appearing in {} after SIGKILL", dirs);
  }

  static void removeQuietly(Path dir) {
    for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        // EBUSY while the kernel finishes tearing down killed processes
        pause();
      }
    }
    LOG.warn("cannot remove cgroup {}", dir);
  }

  private static void pause() {
    try {
      Thread.sleep(REMOVE_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
