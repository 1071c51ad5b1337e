package io.outpost.spool;

/**
 * The spool is at {@code storage.maxBytes} and the overflow policy refused the new message. The
 * daemon answers MQTT 5 PUBACK/PUBREC reason 0x97 (quota exceeded) or, for MQTT 3.1.1, withholds
 * the acknowledgement.
 */
public final class SpoolFullException extends RuntimeException {
  public SpoolFullException(String message) {
    super(message);
  }
}
