package io.outpost.function.runtime.sandbox;

import java.util.List;

/**
 * One function version's share of the {@link Sandbox}: wraps the commands of its children so they
 * start under its limits, reports limits they hit, and kills every process it holds (children and
 * their children).
 */
public interface Confinement extends AutoCloseable {

  /** The limits in force. */
  ResolvedLimits limits();

  /**
   * The command to start instead of {@code command}: it enters the limits and then executes {@code
   * command} in the same process, so the child and everything it starts are held from its first
   * instruction.
   *
   * @param command the program and its arguments
   * @param jvm whether it is a JVM: its heap is bounded by {@code -Xmx}, and address-space rlimits
   *     would stop it from reserving its heap
   */
  List<String> wrap(List<String> command, boolean jvm);

  /** Tells the confinement a wrapped child started with this process id. */
  void started(long pid);

  /**
   * Limits hit since the last call, judged from the cgroup's event counters and the exit code of a
   * child that ended ({@code exitCode} null while it runs).
   */
  List<LimitKind> newHits(Integer exitCode, boolean jvm);

  /**
   * As {@link #newHits(Integer, boolean)}, also told whether the child reported a failed allocation
   * on stderr ({@link OutOfMemorySigns}), which is how a memory-limit hit shows where no cgroup
   * counts them.
   */
  default List<LimitKind> newHits(Integer exitCode, boolean jvm, boolean saidOutOfMemory) {
    return newHits(exitCode, jvm);
  }

  /**
   * The ids of the processes held now: everything in the cgroup, or the wrapped children and their
   * descendants.
   */
  List<Long> processes();

  /** Kills every process held, and waits briefly until they are gone. */
  void killAll();

  /** Kills every process held and removes the cgroup. Idempotent. */
  @Override
  void close();
}
