package io.outpost.function.runtime.sandbox;

/**
 * Daemon-wide caps on what one function may ask for, the YAML {@code functions.limits:} section. A
 * package whose {@code limits:} exceed a cap is refused at deploy; a package that asks for nothing
 * gets the defaults of {@link FunctionLimits}, lowered to these caps. Every key is optional.
 *
 * @param memoryMiB largest {@code limits.memoryMiB}; default {@value #DEFAULT_MEMORY_MIB}
 * @param cpus largest {@code limits.cpus}; default {@value #DEFAULT_CPUS}
 * @param maxProcesses largest {@code limits.maxProcesses}; default {@value #DEFAULT_MAX_PROCESSES}
 * @param maxOpenFiles largest {@code limits.maxOpenFiles}; default {@value #DEFAULT_MAX_OPEN_FILES}
 */
public record LimitCaps(
    Integer memoryMiB, Double cpus, Integer maxProcesses, Integer maxOpenFiles) {

  public static final int DEFAULT_MEMORY_MIB = 1024;
  public static final double DEFAULT_CPUS = 2.0;
  public static final int DEFAULT_MAX_PROCESSES = 256;
  public static final int DEFAULT_MAX_OPEN_FILES = 4096;

  /** Below this a child JVM or interpreter cannot start. */
  static final int MIN_MEMORY_MIB = 16;

  /** Below this a child cannot open its own standard streams and libraries. */
  static final int MIN_OPEN_FILES = 16;

  private static final double MAX_CPUS = 1024;

  /** All defaults. */
  public static final LimitCaps DEFAULTS = new LimitCaps(null, null, null, null);

  /** Fills defaults and validates; throws {@code IllegalArgumentException("<key>: <why>")}. */
  public LimitCaps {
    memoryMiB =
        memoryMiB == null ? DEFAULT_MEMORY_MIB : check("memoryMiB", memoryMiB, MIN_MEMORY_MIB);
    cpus = cpus == null ? DEFAULT_CPUS : check("cpus", cpus);
    maxProcesses =
        maxProcesses == null ? DEFAULT_MAX_PROCESSES : check("maxProcesses", maxProcesses, 1);
    maxOpenFiles =
        maxOpenFiles == null
            ? DEFAULT_MAX_OPEN_FILES
            : check("maxOpenFiles", maxOpenFiles, MIN_OPEN_FILES);
  }

  static Integer check(String key, Integer value, int min) {
    if (value != null && value < min) {
      throw new IllegalArgumentException(key + ": must be >= " + min + ", was " + value);
    }
    return value;
  }

  static Double check(String key, Double value) {
    if (value != null && !(value >= 0.01 && value <= MAX_CPUS)) {
      throw new IllegalArgumentException(
          key + ": must be 0.01.." + (int) MAX_CPUS + " cores, was " + value);
    }
    return value;
  }
}
