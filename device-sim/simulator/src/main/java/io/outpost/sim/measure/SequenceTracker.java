package io.outpost.sim.measure;

import java.util.HashMap;
import java.util.Map;

/**
 * Checks per-device sequence numbers for one subscriber and classifies every arrival as in order,
 * out of order, duplicate or untracked; gaps that never fill are losses.
 *
 * <p>Bounded: at most {@code maxDevices} devices are tracked (messages from further devices count
 * as {@link #overflowMessages()}), and each device keeps at most {@code maxGapRanges} open gaps
 * (the oldest is then given up as lost). Thread-safe; one lock, uncontended in practice because
 * each subscriber connection delivers on its own thread.
 */
public final class SequenceTracker {

  /** Default bound on distinct devices per subscriber. */
  public static final int DEFAULT_MAX_DEVICES = 100_000;

  /** Default bound on open gap ranges per device. */
  public static final int DEFAULT_MAX_GAP_RANGES = 10_000;

  private final long firstSeq;
  private final int maxDevices;
  private final int maxGapRanges;
  private final Map<String, DeviceSequence> devices = new HashMap<>();
  private long overflowMessages;

  public SequenceTracker(long firstSeq, int maxDevices, int maxGapRanges) {
    if (maxDevices < 1 || maxGapRanges < 1) {
      throw new IllegalArgumentException("maxDevices and maxGapRanges must be positive");
    }
    this.firstSeq = firstSeq;
    this.maxDevices = maxDevices;
    this.maxGapRanges = maxGapRanges;
  }

  /** A tracker with sequences starting at 1 and the default bounds. */
  public static SequenceTracker withDefaults() {
    return new SequenceTracker(1, DEFAULT_MAX_DEVICES, DEFAULT_MAX_GAP_RANGES);
  }

  /** Records one arrival of {@code seq} from {@code deviceId}. */
  public synchronized Arrival record(String deviceId, long seq) {
    DeviceSequence device = devices.get(deviceId);
    if (device == null) {
      if (devices.size() >= maxDevices) {
        overflowMessages++;
        return Arrival.UNTRACKED;
      }
      device = new DeviceSequence(firstSeq, maxGapRanges);
      devices.put(deviceId, device);
    }
    return device.record(seq);
  }

  /**
   * Totals over all devices. With {@code expectedPerDevice > 0} (messages each device sent), a
   * device's missing tail and devices never heard from ({@code expectedDevices} minus those seen)
   * count as lost too.
   */
  public synchronized SequenceCounts counts(long expectedPerDevice, int expectedDevices) {
    long expectedLast = expectedPerDevice > 0 ? firstSeq + expectedPerDevice - 1 : 0;
    SequenceCounts total = SequenceCounts.EMPTY;
    for (DeviceSequence d : devices.values()) {
      total = total.plus(d.counts(expectedLast));
    }
    long silent = Math.max(0, expectedDevices - devices.size());
    long lostSilent = expectedPerDevice > 0 ? silent * expectedPerDevice : 0;
    return new SequenceCounts(
        total.devices(),
        total.received(),
        total.lost() + lostSilent,
        total.duplicates(),
        total.outOfOrder(),
        total.untracked() + overflowMessages,
        total.highestSpan());
  }

  /** Totals with nothing known about what was sent: losses are gaps only. */
  public SequenceCounts counts() {
    return counts(0, 0);
  }

  /** Messages from devices beyond {@code maxDevices}. */
  public synchronized long overflowMessages() {
    return overflowMessages;
  }
}
