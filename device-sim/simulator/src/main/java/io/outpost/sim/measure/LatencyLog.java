package io.outpost.sim.measure;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every message's end-to-end latency with the device and sequence number it carried, so that two
 * consumers that received the same messages over different paths (directly, and through a function
 * that republished them) can be paired message by message: the latency one path adds is the
 * difference per message, not the difference of two percentiles. Bounded: at most {@code capacity}
 * entries; later ones are counted as {@link #dropped()} and left out.
 */
public final class LatencyLog {

  private final int capacity;
  private final Map<String, Integer> deviceIndex = new HashMap<>();
  private final List<String> devices = new ArrayList<>();
  private int[] device = new int[1024];
  private long[] seq = new long[1024];
  private long[] micros = new long[1024];
  private long[] sent = new long[1024];
  private int size;
  private long dropped;

  public LatencyLog(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /** Records one message; thread-safe (subscribers' callback threads call it). */
  public synchronized void record(
      String deviceId, long sequence, long latencyMicros, long sentEpochMicros) {
    if (size == capacity) {
      dropped++;
      return;
    }
    if (size == device.length) {
      int grown = (int) Math.min(capacity, device.length * 2L);
      device = Arrays.copyOf(device, grown);
      seq = Arrays.copyOf(seq, grown);
      micros = Arrays.copyOf(micros, grown);
      sent = Arrays.copyOf(sent, grown);
    }
    Integer idx = deviceIndex.get(deviceId);
    if (idx == null) {
      idx = devices.size();
      devices.add(deviceId);
      deviceIndex.put(deviceId, idx);
    }
    device[size] = idx;
    seq[size] = sequence;
    micros[size] = latencyMicros;
    sent[size] = sentEpochMicros;
    size++;
  }

  public synchronized int size() {
    return size;
  }

  /** Messages left out because the log was full. */
  public synchronized long dropped() {
    return dropped;
  }

  /**
   * Writes one line per message, in arrival order: device id, sequence number, latency in
   * microseconds and the intended send time it is measured from (epoch microseconds),
   * tab-separated.
   */
  public synchronized void writeTo(Path file) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < size; i++) {
        w.append(devices.get(device[i]))
            .append('\t')
            .append(Long.toString(seq[i]))
            .append('\t')
            .append(Long.toString(micros[i]))
            .append('\t')
            .append(Long.toString(sent[i]))
            .append('\n');
      }
    }
  }
}
