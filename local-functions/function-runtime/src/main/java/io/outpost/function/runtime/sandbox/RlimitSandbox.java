package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits without cgroups: each child starts in its own session and process group ({@code setsid})
 * under {@code prlimit} (util-linux) limits on its data size, processes and open files. There is no
 * shared memory or CPU rate limit in this mode. {@code RLIMIT_NPROC} counts every thread of the
 * daemon's user, so a child gets the user's count at its start plus {@code maxProcesses} (root is
 * not held by it at all). A native child's memory-limit hit is judged from its exit: see {@link
 * Group#newHits(Integer, boolean, boolean)}.
 */
final class RlimitSandbox implements Sandbox {

  private static final Logger LOG = LoggerFactory.getLogger(Sandbox.class);
  private static final long KILL_WAIT_MILLIS = 2_000;

  private final String whyNotCgroups;

  RlimitSandbox(String whyNotCgroups) {
    this.whyNotCgroups = whyNotCgroups;
  }

  @Override
  public SandboxMode mode() {
    return SandboxMode.RLIMIT;
  }

  @Override
  public String describe() {
    return SandboxMode.RLIMIT.yaml()
        + (whyNotCgroups.isEmpty() ? "" : " (no cgroups: " + whyNotCgroups + ")");
  }

  @Override
  public Confinement confine(String id, ResolvedLimits limits) {
    return new Group(limits);
  }

  @Override
  public void close() {
    // every Group is closed by its function version
  }

  /** One function version: the process groups of its children. */
  private static final class Group implements Confinement {
    private final ResolvedLimits limits;
    private final List<Long> groups = new ArrayList<>();

    Group(ResolvedLimits limits) {
      this.limits = limits;
    }

    @Override
    public ResolvedLimits limits() {
      return limits;
    }

    @Override
    public List<String> wrap(List<String> command, boolean jvm) {
      long nproc = UserTasks.count() + limits.maxProcesses();
      List<String> wrapped =
          new ArrayList<>(
              List.of(
                  "setsid",
                  "prlimit",
                  "--nofile=" + limits.maxOpenFiles() + ":" + limits.maxOpenFiles(),
                  "--nproc=" + nproc + ":" + nproc));
      if (!jvm) {
        // RLIMIT_DATA (private writable memory since Linux 4.7); a JVM is bounded by -Xmx instead
        wrapped.add("--data=" + limits.memoryBytes() + ":" + limits.memoryBytes());
      }
      wrapped.add("--");
      wrapped.addAll(command);
      return wrapped;
    }

    @Override
    public synchronized void started(long pid) {
      groups.removeIf(g -> ProcessHandle.of(g).isEmpty());
      groups.add(pid);
    }

    @Override
    public List<LimitKind> newHits(Integer exitCode, boolean jvm) {
      return newHits(exitCode, jvm, false);
    }

    /**
     * A JVM child exits with its out-of-memory code. A native child under its data-size limit fails
     * an allocation: it counts as a memory hit when it ended after saying so on stderr, or died of
     * SIGSEGV, SIGABRT or SIGBUS, how C code whose malloc returned NULL usually ends (a crash from
     * any other bug is counted the same way here; the cgroup modes tell them apart).
     */
    @Override
    public List<LimitKind> newHits(Integer exitCode, boolean jvm, boolean saidOutOfMemory) {
      if (exitCode == null || exitCode == 0) {
        return List.of();
      }
      if (exitCode == ExitCodes.SIGXCPU) {
        return List.of(LimitKind.CPU);
      }
      if (jvm) {
        return exitCode == ExitCodes.JVM_OUT_OF_MEMORY ? List.of(LimitKind.MEMORY) : List.of();
      }
      return saidOutOfMemory || ExitCodes.allocationFailureSignal(exitCode)
          ? List.of(LimitKind.MEMORY)
          : List.of();
    }

    @Override
    public List<Long> processes() {
      List<Long> leaders;
      synchronized (this) {
        leaders = List.copyOf(groups);
      }
      List<Long> all = new ArrayList<>();
      for (long leader : leaders) {
        ProcessHandle.of(leader)
            .ifPresent(
                p -> {
                  all.add(p.pid());
                  p.descendants().forEach(d -> all.add(d.pid()));
                });
      }
      return all;
    }

    @Override
    public void killAll() {
      List<Long> pgids;
      synchronized (this) {
        pgids = List.copyOf(groups);
      }
      for (long pgid : pgids) {
        try {
          // the group outlives its leader: children that were reparented still carry its id
          Process kill =
              new ProcessBuilder("kill", "-KILL", "--", "-" + pgid)
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          if (!kill.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            kill.destroyForcibly();
          }
        } catch (IOException e) {
          LOG.warn("cannot kill process group {}: {}", pgid, e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    @Override
    public void close() {
      killAll();
      synchronized (this) {
        groups.clear();
      }
    }
  }
}
