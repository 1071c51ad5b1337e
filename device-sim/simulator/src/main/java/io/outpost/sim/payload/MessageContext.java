package io.outpost.sim.payload;

/**
 * What a payload or topic template may refer to when one message is rendered.
 *
 * @param deviceId the simulated device's id, e.g. {@code dev-00001}
 * @param deviceIndex the device's zero-based index in the fleet
 * @param seq the per-device sequence number, starting at 1
 * @param epochMicros the message's intended send time in microseconds since the epoch
 */
public record MessageContext(String deviceId, int deviceIndex, long seq, long epochMicros) {}
