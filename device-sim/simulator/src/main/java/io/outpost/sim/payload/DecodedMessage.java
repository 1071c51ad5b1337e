package io.outpost.sim.payload;

/**
 * What a consumer learned from one received payload.
 *
 * @param deviceId the device id from the payload, or the topic when the payload names none
 * @param seq the sequence number, or {@link #ABSENT} when missing or not a number
 * @param epochMicros the embedded intended send time in epoch microseconds, or {@link #ABSENT}
 */
public record DecodedMessage(String deviceId, long seq, long epochMicros) {

  /** Marks a field that the payload did not carry. */
  public static final long ABSENT = Long.MIN_VALUE;

  public boolean hasSeq() {
    return seq != ABSENT;
  }

  public boolean hasTimestamp() {
    return epochMicros != ABSENT;
  }
}
