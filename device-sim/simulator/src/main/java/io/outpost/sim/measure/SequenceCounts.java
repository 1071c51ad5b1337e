package io.outpost.sim.measure;

/**
 * Delivery accounting over one or more devices.
 *
 * @param devices devices seen
 * @param received messages received with a sequence number, duplicates included
 * @param lost sequence numbers never received (gaps, plus the tail when the sent count is known)
 * @param duplicates messages received more than once (each extra copy counts one)
 * @param outOfOrder messages that arrived after a higher number of the same device
 * @param untracked messages the tracker could not classify (see {@link Arrival#UNTRACKED})
 * @param highestSpan sum over devices of the highest number seen minus the first expected plus one
 */
public record SequenceCounts(
    long devices,
    long received,
    long lost,
    long duplicates,
    long outOfOrder,
    long untracked,
    long highestSpan) {

  public static final SequenceCounts EMPTY = new SequenceCounts(0, 0, 0, 0, 0, 0, 0);

  /** Field-by-field sum. */
  public SequenceCounts plus(SequenceCounts o) {
    return new SequenceCounts(
        devices + o.devices,
        received + o.received,
        lost + o.lost,
        duplicates + o.duplicates,
        outOfOrder + o.outOfOrder,
        untracked + o.untracked,
        highestSpan + o.highestSpan);
  }
}
