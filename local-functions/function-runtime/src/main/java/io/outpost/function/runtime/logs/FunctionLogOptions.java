package io.outpost.function.runtime.logs;

/**
 * Bounds of the per-function logs, the YAML {@code functions.logs:} section. Every key is optional;
 * read when the runtime starts.
 *
 * @param maxBytesPerFunction disk space one function's log files may take together (the current
 *     file plus rotated ones); the oldest file is deleted when a rotation would exceed it; default
 *     {@value #DEFAULT_MAX_BYTES_PER_FUNCTION} (1 MiB)
 * @param maxFiles files per function, the current one included; each holds at most {@code
 *     maxBytesPerFunction / maxFiles} bytes; default {@value #DEFAULT_MAX_FILES}
 * @param maxLineBytes longest message kept; a longer one is cut and counted in {@code
 *     outpost_function_logs_truncated_total}; default {@value #DEFAULT_MAX_LINE_BYTES}
 * @param maxQueued lines waiting for the log writer; when it is behind by this many, new lines are
 *     dropped (never blocking a function) and counted in {@code
 *     outpost_function_logs_dropped_total}; default {@value #DEFAULT_MAX_QUEUED}
 * @param maxFollowers logs followed live at once (admin API {@code ?follow=true}, the console); one
 *     more is refused and counted in {@code outpost_function_logs_follow_rejected_total}; default
 *     {@value #DEFAULT_MAX_FOLLOWERS}
 */
public record FunctionLogOptions(
    Long maxBytesPerFunction,
    Integer maxFiles,
    Integer maxLineBytes,
    Integer maxQueued,
    Integer maxFollowers) {

  public static final long DEFAULT_MAX_BYTES_PER_FUNCTION = 1L << 20;
  public static final int DEFAULT_MAX_FILES = 3;
  public static final int DEFAULT_MAX_LINE_BYTES = 4_096;
  public static final int DEFAULT_MAX_QUEUED = 10_000;
  public static final int DEFAULT_MAX_FOLLOWERS = 16;

  /** The smallest file a rotation may produce: room for one line and its framing. */
  private static final int FRAMING_BYTES = 256;

  public static final FunctionLogOptions DEFAULTS =
      new FunctionLogOptions(null, null, null, null, null);

  /** Fills defaults and validates; throws {@code IllegalArgumentException("<key>: <why>")}. */
  public FunctionLogOptions {
    maxBytesPerFunction =
        maxBytesPerFunction == null ? DEFAULT_MAX_BYTES_PER_FUNCTION : maxBytesPerFunction;
    maxFiles = maxFiles == null ? DEFAULT_MAX_FILES : maxFiles;
    maxLineBytes = maxLineBytes == null ? DEFAULT_MAX_LINE_BYTES : maxLineBytes;
    maxQueued = maxQueued == null ? DEFAULT_MAX_QUEUED : maxQueued;
    maxFollowers = maxFollowers == null ? DEFAULT_MAX_FOLLOWERS : maxFollowers;
    if (maxFollowers < 1) {
      throw new IllegalArgumentException("maxFollowers: must be >= 1, was " + maxFollowers);
    }
    if (maxFiles < 1 || maxFiles > 100) {
      throw new IllegalArgumentException("maxFiles: must be 1 to 100, was " + maxFiles);
    }
    if (maxLineBytes < 80) {
      throw new IllegalArgumentException("maxLineBytes: must be >= 80, was " + maxLineBytes);
    }
    if (maxQueued < 1) {
      throw new IllegalArgumentException("maxQueued: must be >= 1, was " + maxQueued);
    }
    long needed = (long) maxFiles * (maxLineBytes + FRAMING_BYTES);
    if (maxBytesPerFunction < needed) {
      throw new IllegalArgumentException(
          "maxBytesPerFunction: must be >= maxFiles x (maxLineBytes + "
              + FRAMING_BYTES
              + ") = "
              + needed
              + ", was "
              + maxBytesPerFunction);
    }
  }

  /** The size at which the current file is rotated. */
  public long maxBytesPerFile() {
    return maxBytesPerFunction / maxFiles;
  }
}
