package io.outpost.function.runtime.sandbox;

import java.io.IOException;

/**
 * Holds the daemon's function processes to their limits. One per function runtime: {@link #open}
 * picks the mode (cgroup v2, cgroup v1 or rlimit), {@link #confine} gives each running function
 * version its own {@link Confinement}, and {@link #close} kills whatever is left and removes the
 * cgroups it made.
 */
public interface Sandbox extends AutoCloseable {

  /**
   * Opens the sandbox in {@code requested} mode, or the best available one for {@link
   * SandboxMode#AUTO}.
   *
   * @throws IllegalStateException when an explicitly requested mode is not available here, saying
   *     why
   */
  static Sandbox open(SandboxMode requested) {
    return SandboxProbe.system().open(requested);
  }

  /** The mode in force (never {@link SandboxMode#AUTO}). */
  SandboxMode mode();

  /** One line for the start-up log and status: the mode and where its cgroups are. */
  String describe();

  /**
   * A confinement for one function version.
   *
   * @param id unique label, e.g. {@code name@version}; used in cgroup directory names
   * @param limits the version's limits
   * @throws IOException when its cgroup cannot be made
   */
  Confinement confine(String id, ResolvedLimits limits) throws IOException;

  /** Kills every process still confined and removes the cgroups this sandbox made. Idempotent. */
  @Override
  void close();
}
