package io.outpost.function.runtime.sandbox;

/** Exit codes that tell which limit ended a child. */
final class ExitCodes {

  /** {@code -XX:+ExitOnOutOfMemoryError} exits with 3. */
  static final int JVM_OUT_OF_MEMORY = 3;

  /** 128 + SIGXCPU (24): the CPU-time rlimit ended the process. */
  static final int SIGXCPU = 128 + 24;

  /** 128 + SIGABRT (6): abort(), e.g. C++'s unhandled std::bad_alloc or a failed malloc check. */
  static final int SIGABRT = 128 + 6;

  /** 128 + SIGBUS (7). */
  static final int SIGBUS = 128 + 7;

  /** 128 + SIGSEGV (11): C code that used the NULL a failed malloc returned. */
  static final int SIGSEGV = 128 + 11;

  private ExitCodes() {}

  /** Whether a native child died of a signal that a failed allocation typically ends it with. */
  static boolean allocationFailureSignal(int exitCode) {
    return exitCode == SIGABRT || exitCode == SIGBUS || exitCode == SIGSEGV;
  }
}
