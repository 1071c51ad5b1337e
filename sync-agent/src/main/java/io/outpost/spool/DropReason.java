package io.outpost.spool;

/**
 * Why a message left the spool without reaching the cloud; the {@code reason} tag of {@code
 * outpost.spool.dropped}.
 */
public enum DropReason {
  /** Its route's TTL elapsed before it was delivered. */
  TTL("ttl"),
  /** The spool was full (evicted by drop-oldest, or refused by reject-new). */
  OVERFLOW("overflow"),
  /** The cloud refused it; it was moved to the dead-letter table. */
  REJECTED_BY_CLOUD("rejected-by-cloud"),
  /**
   * Larger than the cloud link can send (a dead letter whose reason starts with {@code too-large},
   * e.g. spooled before {@code cloud.maxMessageBytes} was lowered); it was moved to the dead-letter
   * table.
   */
  TOO_LARGE("too-large"),
  /** The dead-letter table was full and its oldest row was deleted. */
  DEAD_LETTER_OVERFLOW("dead-letter-overflow");

  private final String tag;

  DropReason(String tag) {
    this.tag = tag;
  }

  /**
   * The counter a dead letter with this {@code reason} text falls under: {@link #TOO_LARGE} or
   * rejected.
   */
  public static DropReason ofDeadLetter(String reason) {
    return reason != null && reason.startsWith(TOO_LARGE.tag) ? TOO_LARGE : REJECTED_BY_CLOUD;
  }

  /** The metric tag value. */
  public String tag() {
    return tag;
  }
}
