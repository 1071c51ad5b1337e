package io.outpost.function.runtime.sandbox;

import java.util.List;
import java.util.Locale;

/**
 * What a native child prints on stderr when an allocation failed: under the rlimit sandbox there is
 * no OOM-kill counter to read, and a process stopped by its data-size limit simply fails to
 * allocate and ends, so the runtime looks for the message its language runtime leaves.
 */
public final class OutOfMemorySigns {

  /** Lower-case fragments of the messages of Python, C/C++, Go, Rust and Node.js on ENOMEM. */
  private static final List<String> SIGNS =
      List.of(
          "memoryerror", // Python
          "cannot allocate memory", // strerror(ENOMEM): libc, Python's OSError, shells
          "out of memory", // Go "runtime: out of memory", Node "heap out of memory", glibc
          "std::bad_alloc", // C++
          "memory allocation of"); // Rust "memory allocation of N bytes failed"

  private OutOfMemorySigns() {}

  /** Whether {@code stderrLine} reports a failed allocation. */
  public static boolean in(String stderrLine) {
    String line = stderrLine.toLowerCase(Locale.ROOT);
    for (String sign : SIGNS) {
      if (line.contains(sign)) {
        return true;
      }
    }
    return false;
  }
}
