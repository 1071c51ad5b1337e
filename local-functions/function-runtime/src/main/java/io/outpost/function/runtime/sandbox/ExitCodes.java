package io.outpost.function.runtime.sandbox;

/** Exit codes that tell which limit ended a child. */
final class ExitCodes {

  /** {@code -XX:+ExitOnOutOfMemoryError} exits with 3. */
  static final int JVM_OUT_OF_MEMORY = 3;

  /** 128 + SIGXCPU (24): the CPU-time rlimit ended the process. */
  static final int SIGXCPU = 128 + 24;

  private ExitCodes() {}
}
