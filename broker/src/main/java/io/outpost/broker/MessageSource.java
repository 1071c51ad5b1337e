package io.outpost.broker;

/**
 * Where a message entering the broker comes from. Every source takes the same path (see {@link
 * MqttBroker}: durable routes, local delivery, then the router's {@link PublishRouter#delivered
 * delivered} hook, then the acknowledgement); the source only decides whether the durable routes
 * apply.
 */
public enum MessageSource {

  /** Published by a connected client (or its will): authorized at the edge, then routed. */
  DEVICE(true),

  /**
   * Published by a local function, on an event or on its schedule: routed like a device's message.
   */
  FUNCTION(true),

  /**
   * Sent down by the cloud: never passed to the durable routes, so a downlink cannot bounce back
   * up.
   */
  CLOUD(false);

  private final boolean routed;

  MessageSource(boolean routed) {
    this.routed = routed;
  }

  /** Whether messages from this source pass the durable routes ({@link PublishRouter#route}). */
  public boolean routed() {
    return routed;
  }
}
