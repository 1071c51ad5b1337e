package io.outpost.broker.internal.protocol;

import io.netty.handler.codec.mqtt.MqttProperties;
import java.util.HashMap;
import java.util.Map;

/**
 * The topic aliases the broker assigns towards one MQTT 5 client (MQTT 5 §3.3.2.3.4), up to the
 * Topic Alias Maximum the client sent in CONNECT. A topic gets the next free alias the first time
 * it is sent and keeps it for the life of the connection: that PUBLISH carries the topic and the
 * alias, later ones an empty topic and the alias. Once every alias is taken, further topics are
 * sent in full without one (no reassignment, so a topic's alias never changes).
 *
 * <p>Aliases belong to the network connection, not the session: a new connection starts with none.
 * Used only on the connection's event loop, in write order, so the client learns each alias before
 * it is used.
 */
final class OutboundTopicAliases {

  private final int maximum;
  private final Map<String, Integer> byTopic = new HashMap<>();

  OutboundTopicAliases(int maximum) {
    this.maximum = maximum;
  }

  /** No aliases: the client allows none, or the broker is configured not to assign them. */
  static OutboundTopicAliases none() {
    return new OutboundTopicAliases(0);
  }

  /** The alias to send {@code topic} with; {@code 0} when it has none (all aliases taken). */
  Lookup lookup(String topic) {
    if (maximum == 0) {
      return Lookup.NONE;
    }
    Integer known = byTopic.get(topic);
    if (known != null) {
      return new Lookup(known, true);
    }
    if (byTopic.size() >= maximum) {
      return Lookup.NONE;
    }
    int alias = byTopic.size() + 1;
    byTopic.put(topic, alias);
    return new Lookup(alias, false);
  }

  /**
   * Bytes a Topic Alias property can add to a PUBLISH (identifier and two-byte value), for size
   * checks.
   */
  int maxExtraBytes() {
    return maximum == 0 ? 0 : 3;
  }

  /** Aliases assigned so far. */
  int size() {
    return byTopic.size();
  }

  /**
   * The result of {@link #lookup}.
   *
   * @param alias the Topic Alias to send, or 0 for none
   * @param known whether the client already knows it, so the topic name can be left empty
   */
  record Lookup(int alias, boolean known) {
    static final Lookup NONE = new Lookup(0, false);

    /**
     * {@code props} with the Topic Alias added (a new property list when {@code props} is the
     * shared empty one).
     */
    MqttProperties addTo(MqttProperties props) {
      MqttProperties p = props == MqttProperties.NO_PROPERTIES ? new MqttProperties() : props;
      p.add(new MqttProperties.IntegerProperty(MqttProperties.TOPIC_ALIAS, alias));
      return p;
    }
  }
}
