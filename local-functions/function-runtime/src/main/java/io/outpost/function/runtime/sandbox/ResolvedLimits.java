package io.outpost.function.runtime.sandbox;

/**
 * The limits one running function version is held to: its {@link FunctionLimits} with defaults
 * applied and checked against the daemon's {@link LimitCaps}.
 *
 * @param memoryMiB memory of all its processes together, MiB
 * @param cpus CPU quota in cores
 * @param maxProcesses processes and threads at once
 * @param maxOpenFiles open file descriptors per process
 */
public record ResolvedLimits(int memoryMiB, double cpus, int maxProcesses, int maxOpenFiles) {

  /**
   * Share of the memory limit a child JVM gets as heap; the rest is metaspace, code, stacks and the
   * GC.
   */
  private static final double HEAP_SHARE = 0.5;

  private static final int MIN_HEAP_MIB = 8;

  /** Bytes of {@link #memoryMiB}. */
  public long memoryBytes() {
    return memoryMiB * 1024L * 1024L;
  }

  /** The {@code -Xmx} of a child JVM held to this memory limit, in MiB. */
  public int heapMiB() {
    return Math.max(MIN_HEAP_MIB, (int) (memoryMiB * HEAP_SHARE));
  }
}
