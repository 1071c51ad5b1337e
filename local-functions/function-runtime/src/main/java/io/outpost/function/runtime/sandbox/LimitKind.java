package io.outpost.function.runtime.sandbox;

/**
 * A limit a function can hit; {@link #tag()} is the {@code limit} tag of {@code
 * outpost_function_limit_hits_total}.
 */
public enum LimitKind {
  /**
   * The memory limit: the kernel's OOM killer stopped a process in the function's cgroup, or a
   * child JVM ran out.
   */
  MEMORY("memory"),
  /** The process/thread limit refused a fork or a new thread. */
  PROCESSES("processes"),
  /** The CPU time limit ended a process ({@code SIGXCPU}). */
  CPU("cpu"),
  /** An invocation ran past the function's timeout. */
  TIMEOUT("timeout");

  private final String tag;

  LimitKind(String tag) {
    this.tag = tag;
  }

  /** The metric tag value and the name used in logs and status. */
  public String tag() {
    return tag;
  }
}
