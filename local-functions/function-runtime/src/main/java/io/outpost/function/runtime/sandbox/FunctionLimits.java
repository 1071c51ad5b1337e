package io.outpost.function.runtime.sandbox;

/**
 * The resource limits a function package asks for, the {@code limits:} section of its {@code
 * outpost-function.yaml}. Every key is optional: an absent one takes its {@code DEFAULT_*} value,
 * lowered to the daemon's cap ({@link LimitCaps}) when the operator set a smaller cap. A value
 * above the cap refuses the deploy ({@link #resolve}).
 *
 * @param memoryMiB memory of the function's processes together (resident and swap), in MiB; for a
 *     Java function in a child JVM it also sizes the heap; default {@value #DEFAULT_MEMORY_MIB}
 * @param cpus CPU quota in cores (0.5 = half of one core), enforced by cgroups; default {@value
 *     #DEFAULT_CPUS}
 * @param maxProcesses processes and threads the function may run at once (cgroup {@code pids.max},
 *     else {@code RLIMIT_NPROC}); default {@value #DEFAULT_MAX_PROCESSES}
 * @param maxOpenFiles open file descriptors per process ({@code RLIMIT_NOFILE}); default {@value
 *     #DEFAULT_MAX_OPEN_FILES}
 */
public record FunctionLimits(
    Integer memoryMiB, Double cpus, Integer maxProcesses, Integer maxOpenFiles) {

  public static final int DEFAULT_MEMORY_MIB = 256;
  public static final double DEFAULT_CPUS = 1.0;
  public static final int DEFAULT_MAX_PROCESSES = 64;
  public static final int DEFAULT_MAX_OPEN_FILES = 256;

  /** Nothing requested: every limit takes its default. */
  public static final FunctionLimits NONE = new FunctionLimits(null, null, null, null);

  /** Validates the values given; throws {@code IllegalArgumentException("limits.<key>: <why>")}. */
  public FunctionLimits {
    LimitCaps.check("limits.memoryMiB", memoryMiB, LimitCaps.MIN_MEMORY_MIB);
    LimitCaps.check("limits.cpus", cpus);
    LimitCaps.check("limits.maxProcesses", maxProcesses, 1);
    LimitCaps.check("limits.maxOpenFiles", maxOpenFiles, LimitCaps.MIN_OPEN_FILES);
  }

  /**
   * The limits in force under {@code caps}.
   *
   * @throws IllegalArgumentException naming the descriptor key and the cap's key when a value
   *     exceeds its cap
   */
  public ResolvedLimits resolve(LimitCaps caps) {
    return new ResolvedLimits(
        pick("memoryMiB", memoryMiB, DEFAULT_MEMORY_MIB, caps.memoryMiB()),
        pick("cpus", cpus, DEFAULT_CPUS, caps.cpus()),
        pick("maxProcesses", maxProcesses, DEFAULT_MAX_PROCESSES, caps.maxProcesses()),
        pick("maxOpenFiles", maxOpenFiles, DEFAULT_MAX_OPEN_FILES, caps.maxOpenFiles()));
  }

  private static <T extends Number & Comparable<T>> T pick(
      String key, T requested, T fallback, T cap) {
    if (requested == null) {
      return fallback.compareTo(cap) > 0 ? cap : fallback;
    }
    if (requested.compareTo(cap) > 0) {
      throw new IllegalArgumentException(
          "limits."
              + key
              + ": "
              + requested
              + " exceeds the daemon's cap functions.limits."
              + key
              + " ("
              + cap
              + ")");
    }
    return requested;
  }
}
