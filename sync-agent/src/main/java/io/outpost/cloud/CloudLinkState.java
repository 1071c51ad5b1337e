package io.outpost.cloud;

/**
 * Where the cloud link is; exported as {@code outpost.cloud.link.up} (1 only when {@link #ONLINE}).
 */
public enum CloudLinkState {
  /** Not started, or stopped. */
  STOPPED,
  /** A connection attempt is under way. */
  CONNECTING,
  /** Connected; the spool is draining. */
  ONLINE,
  /** Disconnected, waiting for the next attempt (exponential backoff with jitter). */
  BACKING_OFF,
  /**
   * Too many failed attempts in a row; not trying until the circuit breaker lets a trial through.
   */
  CIRCUIT_OPEN
}
