package io.outpost.broker.internal.protocol;

import io.outpost.log.LogThrottle;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's INFO lines about clients, each with client id, address and protocol version:
 * connects, disconnects (with the reason), refused CONNECTs, refused publishes and packets over
 * {@code broker.maxPacketBytes}. A refusal a client repeats is logged once, then once a minute at
 * most with how many were left out, so a misbehaving device cannot flood the log. Logger: {@code
 * io.outpost.gateway.broker.clients}.
 */
final class ConnectionLog {

  private static final Logger LOG = LoggerFactory.getLogger("io.outpost.gateway.broker.clients");

  /** Process-wide, like the logger it guards: one summary a minute for all clients together. */
  private static final LogThrottle REFUSED_PUBLISHES =
      new LogThrottle(java.time.Duration.ofMinutes(1), Clock.systemUTC());

  private static final LogThrottle TOO_LARGE_PACKETS =
      new LogThrottle(java.time.Duration.ofMinutes(1), Clock.systemUTC());

  private ConnectionLog() {}

  /** {@code MQTT 5}, {@code MQTT 3.1.1} or {@code MQTT 3.1} for a CONNECT's protocol level. */
  static String protocol(int level) {
    return switch (level) {
      case 5 -> "MQTT 5";
      case 4 -> "MQTT 3.1.1";
      case 3 -> "MQTT 3.1";
      default -> "MQTT level " + level;
    };
  }

  static void connected(String clientId, String address, int level, boolean sessionPresent) {
    LOG.info(
        "client {} connected from {} ({}, session {})",
        clientId,
        address,
        protocol(level),
        sessionPresent ? "resumed" : "new");
  }

  static void disconnected(String clientId, String address, int level, String reason) {
    LOG.info("client {} disconnected from {} ({}): {}", clientId, address, protocol(level), reason);
  }

  static void connectRefused(String clientId, String address, int level, String reason) {
    LOG.info(
        "refused CONNECT of client {} from {} ({}): {}",
        clientId,
        address,
        protocol(level),
        reason);
  }

  static void publishRefused(
      String clientId, String address, int level, String topic, String reason) {
    long skipped = REFUSED_PUBLISHES.admit();
    if (skipped >= 0) {
      LOG.info(
          "refused a publish to {} from client {} at {} ({}): {}{}",
          topic,
          clientId,
          address,
          protocol(level),
          reason,
          more(skipped));
    }
  }

  static void packetTooLarge(String clientId, String address, int level, int maxPacketBytes) {
    long skipped = TOO_LARGE_PACKETS.admit();
    if (skipped >= 0) {
      LOG.info(
          "closing client {} at {} ({}): sent a packet over broker.maxPacketBytes ({} bytes){}",
          clientId,
          address,
          protocol(level),
          maxPacketBytes,
          more(skipped));
    }
  }

  private static String more(long skipped) {
    return skipped == 0 ? "" : " (" + skipped + " more since the last report)";
  }
}
