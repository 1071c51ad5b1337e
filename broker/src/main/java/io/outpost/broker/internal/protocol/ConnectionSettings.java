package io.outpost.broker.internal.protocol;

import io.outpost.broker.BrokerMessage;

/**
 * What was negotiated at CONNECT for one connection.
 *
 * @param protocolVersion 4 (3.1.1) or 5
 * @param keepAliveSeconds effective keep-alive (0 = none)
 * @param maxOutboundPacketBytes the client's Maximum Packet Size, or {@link Long#MAX_VALUE}
 * @param will the will message, or {@code null}
 * @param willDelaySeconds MQTT 5 will delay interval
 * @param problemInformation whether the client accepts Reason Strings on acks (MQTT 5 Request
 *     Problem Information)
 * @param receiveMaximum the Receive Maximum told to the client in CONNACK (a later live change of
 *     the broker's limit applies to new connections only, since this client was promised this one)
 * @param topicAliasMaximum the Topic Alias Maximum told to the client in CONNACK (likewise)
 */
record ConnectionSettings(
    int protocolVersion,
    int keepAliveSeconds,
    long maxOutboundPacketBytes,
    BrokerMessage will,
    long willDelaySeconds,
    boolean problemInformation,
    int receiveMaximum,
    int topicAliasMaximum) {

  boolean v5() {
    return protocolVersion >= 5;
  }
}
