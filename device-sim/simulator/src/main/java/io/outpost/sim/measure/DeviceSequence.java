package io.outpost.sim.measure;

/**
 * Sequence bookkeeping for one device as seen by one subscriber: highest number seen, the gaps
 * below it, and counts of duplicates and out-of-order arrivals. Not thread-safe; {@link
 * SequenceTracker} serialises access.
 */
final class DeviceSequence {

  private final long firstSeq;
  private final int maxGapRanges;
  private final GapSet gaps = new GapSet();
  private long highest;
  private long floor;
  private long received;
  private long duplicates;
  private long outOfOrder;
  private long untracked;
  private long forgottenGaps;

  DeviceSequence(long firstSeq, int maxGapRanges) {
    this.firstSeq = firstSeq;
    this.maxGapRanges = maxGapRanges;
    this.highest = firstSeq - 1;
    this.floor = firstSeq;
  }

  Arrival record(long seq) {
    received++;
    if (seq > highest) {
      if (seq > highest + 1) {
        gaps.add(highest + 1, seq - 1);
        enforceGapBound();
      }
      highest = seq;
      return Arrival.IN_ORDER;
    }
    if (seq < floor) {
      untracked++;
      return Arrival.UNTRACKED;
    }
    if (gaps.remove(seq)) {
      outOfOrder++;
      return Arrival.OUT_OF_ORDER;
    }
    duplicates++;
    return Arrival.DUPLICATE;
  }

  /**
   * Keeps memory bounded: the oldest gap is given up as lost and numbers below it become untracked.
   */
  private void enforceGapBound() {
    while (gaps.rangeCount() > maxGapRanges) {
      long[] dropped = gaps.pollLowest();
      forgottenGaps += dropped[1] - dropped[0] + 1;
      floor = dropped[1] + 1;
    }
  }

  /**
   * Messages lost so far: open gaps plus forgotten ones, plus the tail up to {@code expectedLast}
   * when the consumer knows how many messages each device sent (0 when unknown).
   */
  long lost(long expectedLast) {
    long tail = expectedLast > highest ? expectedLast - highest : 0;
    return gaps.size() + forgottenGaps + tail;
  }

  SequenceCounts counts(long expectedLast) {
    return new SequenceCounts(
        1, received, lost(expectedLast), duplicates, outOfOrder, untracked, highest - firstSeq + 1);
  }
}
