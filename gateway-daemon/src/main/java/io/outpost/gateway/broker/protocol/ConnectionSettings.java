package io.outpost.gateway.broker.protocol;

import io.outpost.gateway.broker.BrokerMessage;

/**
 * What was negotiated at CONNECT for one connection.
 *
 * @param protocolVersion 4 (3.1.1) or 5
 * @param keepAliveSeconds effective keep-alive (0 = none)
 * @param maxOutboundPacketBytes the client's Maximum Packet Size, or {@link Long#MAX_VALUE}
 * @param will the will message, or {@code null}
 * @param willDelaySeconds MQTT 5 will delay interval
 * @param problemInformation whether the client accepts Reason Strings on acks (MQTT 5 Request Problem Information)
 */
record ConnectionSettings(int protocolVersion, int keepAliveSeconds, long maxOutboundPacketBytes, BrokerMessage will,
                          long willDelaySeconds, boolean problemInformation) {

    boolean v5() {
        return protocolVersion >= 5;
    }
}
