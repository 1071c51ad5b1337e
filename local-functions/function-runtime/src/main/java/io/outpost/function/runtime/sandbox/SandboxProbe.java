package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds out which sandbox this process can have. cgroup v2 needs this process's cgroup to be
 * writable with the memory, pids and cpu controllers available (systemd's {@code Delegate=yes});
 * cgroup v1 needs writable memory, pids and cpu hierarchies; otherwise only rlimits are left.
 */
final class SandboxProbe {

  static final List<String> V1_CONTROLLERS = List.of("memory", "pids", "cpu");
  private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);

  /** Distinguishes the sandboxes of several runtimes in one JVM (tests) in cgroup names. */
  private static final AtomicInteger SEQ = new AtomicInteger();

  private final Path mountinfo;
  private final Path procCgroup;

  SandboxProbe(Path mountinfo, Path procCgroup) {
    this.mountinfo = mountinfo;
    this.procCgroup = procCgroup;
  }

  static SandboxProbe system() {
    return new SandboxProbe(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"));
  }

  Sandbox open(SandboxMode requested) {
    CgroupMounts mounts;
    try {
      mounts = CgroupMounts.read(mountinfo, procCgroup);
    } catch (IOException e) {
      mounts = new CgroupMounts(Map.of(), Optional.empty(), Optional.empty());
    }
    String base = "outpost-fn-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    List<String> why = new ArrayList<>();
    if (requested == SandboxMode.AUTO || requested == SandboxMode.CGROUP_V2) {
      Optional<Sandbox> v2 = openV2(mounts, base, why);
      if (v2.isPresent()) {
        return v2.get();
      }
    }
    if (requested == SandboxMode.AUTO || requested == SandboxMode.CGROUP_V1) {
      Optional<Sandbox> v1 = openV1(mounts, base, why);
      if (v1.isPresent()) {
        return v1.get();
      }
    }
    if (requested != SandboxMode.AUTO && requested != SandboxMode.RLIMIT) {
      throw new IllegalStateException(
          "functions.sandbox: "
              + requested.yaml()
              + " is not available here: "
              + String.join("; ", why));
    }
    return new RlimitSandbox(String.join("; ", why));
  }

  private Optional<Sandbox> openV2(CgroupMounts mounts, String base, List<String> why) {
    if (mounts.v2Dir().isEmpty()) {
      why.add("no cgroup v2 hierarchy");
      return Optional.empty();
    }
    Path own = mounts.v2Dir().get();
    try {
      String available =
          Files.readString(own.resolve("cgroup.controllers"), StandardCharsets.US_ASCII);
      for (String c : V1_CONTROLLERS) {
        if (!List.of(available.trim().split("\\s+")).contains(c)) {
          why.add("cgroup v2 " + own + " lacks the " + c + " controller (not delegated)");
          return Optional.empty();
        }
      }
      if (!Files.isWritable(own.resolve("cgroup.subtree_control"))) {
        why.add("cgroup v2 " + own + " is not writable (not delegated)");
        return Optional.empty();
      }
      removeStale(List.of(own));
      boolean isRoot = own.equals(mounts.v2Mount().orElse(null));
      if (!isRoot) {
        // No processes may sit in a cgroup that hands controllers to its children: move ours to a
        // leaf.
        Path leaf = own.resolve("outpost-daemon");
        Files.createDirectories(leaf);
        for (long pid : CgroupFiles.procs(own)) {
          CgroupFiles.tryWrite(leaf, "cgroup.procs", Long.toString(pid));
        }
        CgroupFiles.write(own, "cgroup.subtree_control", "+memory +pids +cpu");
      }
      Path dir = Files.createDirectory(own.resolve(base));
      CgroupFiles.write(dir, "cgroup.subtree_control", "+memory +pids +cpu");
      return Optional.of(new CgroupSandbox(SandboxMode.CGROUP_V2, List.of(dir)));
    } catch (IOException | RuntimeException e) {
      why.add("cgroup v2 " + own + " unusable: " + e.getMessage());
      return Optional.empty();
    }
  }

  private Optional<Sandbox> openV1(CgroupMounts mounts, String base, List<String> why) {
    List<Path> dirs = new ArrayList<>();
    for (String c : V1_CONTROLLERS) {
      Path own = mounts.v1Dirs().get(c);
      if (own == null || !Files.isDirectory(own)) {
        why.add("no cgroup v1 " + c + " hierarchy");
        return Optional.empty();
      }
      if (!Files.isWritable(own)) {
        why.add("cgroup v1 " + own + " is not writable");
        return Optional.empty();
      }
      dirs.add(own);
    }
    removeStale(dirs);
    List<Path> made = new ArrayList<>();
    try {
      for (Path own : dirs) {
        made.add(Files.createDirectory(own.resolve(base)));
      }
      return Optional.of(new CgroupSandbox(SandboxMode.CGROUP_V1, made));
    } catch (IOException e) {
      made.forEach(CgroupSandbox::removeQuietly);
      why.add("cgroup v1 unusable: " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Removes the function cgroups of daemons that are no longer running (SIGKILL, power cut). */
  private static void removeStale(List<Path> parents) {
    for (Path parent : parents) {
      try (var children = Files.list(parent)) {
        for (Path dir : children.filter(SandboxProbe::staleBase).toList()) {
          LOG.info("removing function cgroup {} left by a daemon that is gone", dir);
          CgroupSandbox.removeTree(dir);
        }
      } catch (IOException e) {
        LOG.debug("cannot list {}: {}", parent, e.toString());
      }
    }
  }

  private static boolean staleBase(Path dir) {
    String name = dir.getFileName().toString();
    if (!name.startsWith("outpost-fn-") || !Files.isDirectory(dir)) {
      return false;
    }
    String[] parts = name.split("-");
    try {
      long pid = Long.parseLong(parts[2]);
      return ProcessHandle.of(pid).isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }
}
