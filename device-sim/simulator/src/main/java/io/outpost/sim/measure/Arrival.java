package io.outpost.sim.measure;

/** How one received sequence number relates to what the device had sent before it. */
public enum Arrival {
  /** The next expected number, or a higher one (skipped numbers become gaps). */
  IN_ORDER,
  /** A number below the highest seen that filled a gap: late, but not lost. */
  OUT_OF_ORDER,
  /** A number that had already arrived. */
  DUPLICATE,
  /**
   * A number the tracker cannot classify: below the first expected number, or in a range forgotten
   * because the gap table was full.
   */
  UNTRACKED
}
