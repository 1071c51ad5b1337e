package io.outpost.function.runtime.sandbox;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One function version's cgroup (v2: one directory; v1: one per memory, pids and cpu hierarchy). A
 * child joins it through a {@code sh} prologue that writes its own pid to {@code cgroup.procs}
 * before it executes the function's program, so nothing it starts can escape.
 */
final class CgroupConfinement implements Confinement {

  private static final long CPU_PERIOD_MICROS = 100_000;

  private final boolean v2;

  /** v2: {dir}; v1: {memory, pids, cpu}. */
  private final List<Path> dirs;

  private final ResolvedLimits limits;
  private final Consumer<CgroupConfinement> onClose;
  private long oomKills;
  private long pidsRefused;
  private boolean closed;

  CgroupConfinement(
      boolean v2, List<Path> dirs, ResolvedLimits limits, Consumer<CgroupConfinement> onClose) {
    this.v2 = v2;
    this.dirs = List.copyOf(dirs);
    this.limits = limits;
    this.onClose = onClose;
  }

  private Path memory() {
    return dirs.get(0);
  }

  private Path pids() {
    return v2 ? dirs.get(0) : dirs.get(1);
  }

  private Path cpu() {
    return v2 ? dirs.get(0) : dirs.get(2);
  }

  void apply() throws IOException {
    String bytes = Long.toString(limits.memoryBytes());
    long quota = Math.max(1_000, Math.round(limits.cpus() * CPU_PERIOD_MICROS));
    if (v2) {
      CgroupFiles.write(memory(), "memory.max", bytes);
      CgroupFiles.tryWrite(memory(), "memory.swap.max", "0");
      CgroupFiles.write(cpu(), "cpu.max", quota + " " + CPU_PERIOD_MICROS);
    } else {
      CgroupFiles.write(memory(), "memory.limit_in_bytes", bytes);
      // with swap accounting, memory + swap together; without it the file is absent
      CgroupFiles.tryWrite(memory(), "memory.memsw.limit_in_bytes", bytes);
      CgroupFiles.write(cpu(), "cpu.cfs_period_us", Long.toString(CPU_PERIOD_MICROS));
      CgroupFiles.write(cpu(), "cpu.cfs_quota_us", Long.toString(quota));
    }
    CgroupFiles.write(pids(), "pids.max", Integer.toString(limits.maxProcesses()));
    oomKills = oomKillCount();
    pidsRefused = CgroupFiles.keyed(pids(), "pids.events", "max");
  }

  @Override
  public ResolvedLimits limits() {
    return limits;
  }

  @Override
  public List<String> wrap(List<String> command, boolean jvm) {
    StringBuilder script = new StringBuilder();
    for (Path dir : dirs) {
      script
          .append("echo $$ > ")
          .append(CgroupFiles.shellQuote(dir.resolve("cgroup.procs").toString()))
          .append(" || exit 125; ");
    }
    script.append("exec \"$@\"");
    List<String> wrapped =
        new ArrayList<>(
            List.of(
                "/bin/sh",
                "-c",
                script.toString(),
                "sh",
                "prlimit",
                "--nofile=" + limits.maxOpenFiles() + ":" + limits.maxOpenFiles(),
                "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  @Override
  public void started(long pid) {
    // the prologue put it in the cgroup already
  }

  @Override
  public synchronized List<LimitKind> newHits(Integer exitCode, boolean jvm) {
    List<LimitKind> hits = new ArrayList<>();
    long oom = oomKillCount();
    if (oom > oomKills) {
      hits.add(LimitKind.MEMORY);
    } else if (jvm && exitCode != null && exitCode == ExitCodes.JVM_OUT_OF_MEMORY) {
      hits.add(LimitKind.MEMORY);
    }
    oomKills = oom;
    long refused = CgroupFiles.keyed(pids(), "pids.events", "max");
    if (refused > pidsRefused) {
      hits.add(LimitKind.PROCESSES);
    }
    pidsRefused = refused;
    if (exitCode != null && exitCode == ExitCodes.SIGXCPU) {
      hits.add(LimitKind.CPU);
    }
    return hits;
  }

  private long oomKillCount() {
    return v2
        ? CgroupFiles.keyed(memory(), "memory.events", "oom_kill")
        : CgroupFiles.keyed(memory(), "memory.oom_control", "oom_kill");
  }

  @Override
  public List<Long> processes() {
    return CgroupFiles.procs(pids());
  }

  @Override
  public void killAll() {
    if (v2) {
      CgroupFiles.tryWrite(dirs.get(0), "cgroup.kill", "1");
    }
    CgroupSandbox.killAll(dirs);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    killAll();
    dirs.forEach(CgroupSandbox::removeQuietly);
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return dirs.toString();
  }
}
