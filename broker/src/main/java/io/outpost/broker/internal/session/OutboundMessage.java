package io.outpost.broker.internal.session;

import io.outpost.broker.BrokerMessage;

/**
 * One message on its way to one session: the shared {@link BrokerMessage} plus the per-subscriber
 * delivery state. Guarded by the owning {@link Session}'s lock.
 */
public final class OutboundMessage {

  private final BrokerMessage message;
  private final int qos;
  private final boolean retainFlag;
  private final int[] subscriptionIds;
  private int packetId;
  private boolean released;
  private long storeId;
  private boolean completed;

  public OutboundMessage(
      BrokerMessage message, int qos, boolean retainFlag, int[] subscriptionIds) {
    this.message = message;
    this.qos = qos;
    this.retainFlag = retainFlag;
    this.subscriptionIds = subscriptionIds;
  }

  public BrokerMessage message() {
    return message;
  }

  /** QoS of this delivery: the lower of the published QoS and the subscription's. */
  public int qos() {
    return qos;
  }

  public boolean retainFlag() {
    return retainFlag;
  }

  public int[] subscriptionIds() {
    return subscriptionIds;
  }

  /** Packet identifier while in flight, 0 while queued. */
  public int packetId() {
    return packetId;
  }

  void packetId(int id) {
    this.packetId = id;
  }

  /** Whether PUBREC was received and PUBREL sent (QoS 2 second phase). */
  public boolean released() {
    return released;
  }

  void released(boolean value) {
    this.released = value;
  }

  /** Row id in the broker store, 0 when only in memory. */
  public long storeId() {
    return storeId;
  }

  public void storeId(long id) {
    this.storeId = id;
  }

  /**
   * Whether delivery finished (acknowledged or discarded); a late store insert must then delete its
   * row.
   */
  boolean completed() {
    return completed;
  }

  void completed(boolean value) {
    this.completed = value;
  }

  /** A copy restored from the store. */
  public static OutboundMessage restored(
      BrokerMessage message,
      int qos,
      boolean retainFlag,
      int[] subIds,
      int packetId,
      boolean released,
      long storeId) {
    OutboundMessage m = new OutboundMessage(message, qos, retainFlag, subIds);
    m.packetId = packetId;
    m.released = released;
    m.storeId = storeId;
    return m;
  }
}
