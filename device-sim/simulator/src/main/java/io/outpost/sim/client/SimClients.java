package io.outpost.sim.client;

/** Creates {@link SimClient}s for the configured protocol version. */
public final class SimClients {

  private SimClients() {}

  /** A new, unconnected client with id {@code clientId}. */
  public static SimClient create(ConnectionSettings settings, String clientId) {
    return switch (settings.version()) {
      case V3_1_1 -> new V3Client(settings, clientId);
      case V5 -> new V5Client(settings, clientId);
    };
  }
}
