package io.outpost.broker;

/**
 * Failure a {@link PublishRouter} uses to reject a message with a specific MQTT 5 reason code
 * (PUBACK/PUBREC), for example {@code 0x97} (quota exceeded) when the spool is full under a reject
 * policy.
 */
public class RouteRejectedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * The drop reason of a message larger than a durable route can take ({@code
   * outpost.broker.messages.dropped}).
   */
  public static final String DROP_TOO_LARGE = "too-large";

  private final int reasonCode;
  private final String dropReason;

  /**
   * @param reasonCode an MQTT 5 PUBACK/PUBREC error reason code (0x80-0xFF)
   * @param reason human-readable reason (sent as the MQTT 5 Reason String)
   */
  public RouteRejectedException(int reasonCode, String reason) {
    this(reasonCode, reason, null);
  }

  /**
   * @param reasonCode an MQTT 5 PUBACK/PUBREC error reason code (0x80-0xFF)
   * @param reason human-readable reason (sent as the MQTT 5 Reason String)
   * @param dropReason the {@code reason} tag under which the broker counts the refused message in
   *     {@code outpost.broker.messages.dropped}, or {@code null} when another component already
   *     counts it
   */
  public RouteRejectedException(int reasonCode, String reason, String dropReason) {
    super(reason, null, false, false);
    this.dropReason = dropReason;
    if (reasonCode < 0x80 || reasonCode > 0xFF) {
      throw new IllegalArgumentException(
          "reasonCode: must be an error code 0x80-0xFF but was " + reasonCode);
    }
    this.reasonCode = reasonCode;
  }

  /** The drop counter's reason tag, or {@code null}. */
  public String dropReason() {
    return dropReason;
  }

  /** The MQTT 5 reason code. */
  public int reasonCode() {
    return reasonCode;
  }
}
