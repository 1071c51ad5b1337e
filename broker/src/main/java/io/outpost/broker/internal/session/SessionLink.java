package io.outpost.broker.internal.session;

/**
 * The connection a session is attached to, as seen by the session: where outgoing packets are
 * written.
 */
public interface SessionLink {

  /** Outcome of writing a PUBLISH. */
  enum SendResult {
    /** Written (or queued on the socket). */
    SENT,
    /**
     * Cannot ever be sent to this client (e.g. larger than its Maximum Packet Size); discard it.
     */
    DISCARD,
    /** The connection is going away; keep the message for the next connection. */
    CLOSED
  }

  /** Writes a PUBLISH for {@code message}; {@code dup} marks a retransmission. */
  SendResult publish(OutboundMessage message, boolean dup);

  /** Writes a PUBREL for {@code packetId}. */
  void pubrel(int packetId);
}
