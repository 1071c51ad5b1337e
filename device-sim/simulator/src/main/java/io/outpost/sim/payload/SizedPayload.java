package io.outpost.sim.payload;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Fixed-size JSON payloads: {@code {"deviceId":"..","seq":N,"ts":MICROS,"pad":"xxxx"}} padded to
 * exactly {@code size} bytes, so a consumer can always check sequence and latency. When the header
 * alone is longer than {@code size}, the header is sent unpadded (the smallest honest payload).
 */
public final class SizedPayload implements PayloadGenerator {

  /** Smallest size that still fits the header for typical device ids and timestamps. */
  public static final int TYPICAL_HEADER_BYTES = 70;

  private final int size;

  public SizedPayload(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("payload size must be at least 1 byte, was " + size);
    }
    this.size = size;
  }

  @Override
  public byte[] render(MessageContext context, RandomGenerator random) {
    String head =
        "{\"deviceId\":\""
            + context.deviceId()
            + "\",\"seq\":"
            + context.seq()
            + ",\"ts\":"
            + context.epochMicros()
            + ",\"pad\":\"";
    byte[] headBytes = head.getBytes(StandardCharsets.UTF_8);
    int padding = Math.max(0, size - headBytes.length - 2);
    byte[] out = Arrays.copyOf(headBytes, headBytes.length + padding + 2);
    Arrays.fill(out, headBytes.length, headBytes.length + padding, (byte) 'x');
    out[out.length - 2] = '"';
    out[out.length - 1] = '}';
    return out;
  }

  @Override
  public String toString() {
    return size + "-byte JSON";
  }
}
