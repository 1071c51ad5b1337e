package io.outpost.broker;

import io.soabase.recordbuilder.core.RecordBuilder;
import java.time.Duration;
import java.util.List;

/**
 * Configuration of the local MQTT broker: the {@code broker:} section of the daemon's YAML file.
 * Every bound has a default, a metric and a documented behaviour when hit.
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code BrokerOptionsBuilder.With} ({@link #withQueueing} sets the three queue keys at once);
 * every copy runs the constructor again, so it gets the same defaults and checks.
 *
 * @param listeners TCP listeners; default one on {@code 127.0.0.1:1883}
 * @param instances number of event-loop instances serving connections; default the number of CPU
 *     cores
 * @param maxConnections connected clients at most; default {@value #DEFAULT_MAX_CONNECTIONS}. A
 *     CONNECT beyond it is refused (MQTT 5: 0x97 quota exceeded, 3.1.1: 0x03 server unavailable),
 *     counted in {@code outpost.broker.connections.rejected{reason=max-connections}}
 * @param maxPacketBytes largest MQTT packet accepted; default {@value #DEFAULT_MAX_PACKET_BYTES}. A
 *     larger packet closes the connection (MQTT 5: DISCONNECT 0x95); advertised to MQTT 5 clients
 *     as Maximum Packet Size
 * @param receiveMaximum incoming QoS 1/2 publishes a client may have unacknowledged; default
 *     {@value #DEFAULT_RECEIVE_MAXIMUM}; advertised to MQTT 5 clients; exceeding it closes the
 *     connection (0x93)
 * @param maxInflight outgoing QoS 1/2 messages per client awaiting acknowledgement; default {@value
 *     #DEFAULT_MAX_INFLIGHT} (lowered further by an MQTT 5 client's Receive Maximum). Further
 *     messages queue
 * @param maxQueuedMessages messages queued per session beyond the in-flight window (also for
 *     offline persistent sessions); default {@value #DEFAULT_MAX_QUEUED_MESSAGES}; when full {@link
 *     #queueOverflow} decides. While a connected session's queue is at least half full, the
 *     publishers of its messages are throttled as described below for QoS 0, and held in 10 ms
 *     pauses (for at most {@link #publisherHoldMillis} in a row) while it stays three quarters
 *     full, so messages that reach it in bursts after a durable commit slow their publishers down
 *     instead of overflowing it. Also bounds the QoS 0 messages waiting unflushed for a slow
 *     reader; beyond it new QoS 0 messages are dropped, counted in {@code
 *     outpost.broker.messages.dropped{reason=slow-consumer}}. From half of it on, the clients
 *     publishing those messages are not read from for 10 ms at a time (TCP backpressure; a QoS 1/2
 *     publisher also waits longer for its acknowledgements), counted in {@code
 *     outpost.broker.publishers.throttled}, so the broker does not spend its CPU receiving what it
 *     would drop
 * @param queueOverflow {@code drop-oldest} (default) or {@code drop-newest}; every drop is counted
 *     in {@code outpost.broker.messages.dropped{reason=queue-full}}
 * @param maxSubscriptionsPerClient subscriptions per session; default {@value
 *     #DEFAULT_MAX_SUBSCRIPTIONS}; further filters are refused in SUBACK (MQTT 5: 0x97, 3.1.1:
 *     0x80)
 * @param maxRetainedMessages retained topics kept; default {@value #DEFAULT_MAX_RETAINED}; a new
 *     retained topic beyond it is delivered but not retained, counted in {@code
 *     outpost.broker.messages.dropped{reason=retained-full}}
 * @param maxSessionExpirySeconds upper bound of a session's expiry interval; default {@value
 *     #DEFAULT_MAX_SESSION_EXPIRY_SECONDS} (7 days). MQTT 3.1.1 persistent sessions (clean session
 *     0) expire after this long offline; MQTT 5 clients asking for more are told the lower value in
 *     CONNACK
 * @param maxKeepAliveSeconds largest keep-alive granted; default {@value
 *     #DEFAULT_MAX_KEEP_ALIVE_SECONDS}; MQTT 5 clients asking for 0 or more get this as Server Keep
 *     Alive; MQTT 3.1.1 clients asking for 0 or more are held to it too (they cannot be told).
 *     {@code 0} accepts any keep-alive, including none. A client silent for 1.5 times its
 *     keep-alive is disconnected (MQTT 5: 0x8D) and its will published
 * @param connectTimeoutSeconds how long a new TCP connection may take to send CONNECT; default
 *     {@value #DEFAULT_CONNECT_TIMEOUT_SECONDS}
 * @param topicAliasMaximum topic aliases an MQTT 5 client may use towards the broker; default
 *     {@value #DEFAULT_TOPIC_ALIAS_MAXIMUM}; 0 disables them
 * @param maxClientIdLength longest client identifier accepted; default {@value
 *     #DEFAULT_MAX_CLIENT_ID_LENGTH}
 * @param outboundTopicAliases whether the broker assigns topic aliases to the PUBLISHes it sends an
 *     MQTT 5 client that allows them (CONNECT Topic Alias Maximum above 0), up to that client's
 *     maximum per connection: a topic is sent in full once, then as an empty topic and its alias;
 *     default {@value #DEFAULT_OUTBOUND_TOPIC_ALIASES}. Packets sent with an alias only are counted
 *     in {@code outpost.broker.topic.alias.hits}
 * @param publisherHoldMillis longest a QoS 1/2 publisher is held in a row (pauses of 10 ms renewed
 *     while a connected subscriber of its messages stays three quarters full); default {@value
 *     #DEFAULT_PUBLISHER_HOLD_MILLIS}; at least 10 (one pause). After it the publisher is read
 *     again even if the subscriber is still behind, so a client subscribed to its own messages
 *     cannot stall itself for long; each hold is counted in {@code
 *     outpost.broker.publishers.throttled}
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record BrokerOptions(
    List<ListenerOptions> listeners,
    Integer instances,
    Integer maxConnections,
    Integer maxPacketBytes,
    Integer receiveMaximum,
    Integer maxInflight,
    Integer maxQueuedMessages,
    QueueOverflowPolicy queueOverflow,
    Integer maxSubscriptionsPerClient,
    Integer maxRetainedMessages,
    Long maxSessionExpirySeconds,
    Integer maxKeepAliveSeconds,
    Integer connectTimeoutSeconds,
    Integer topicAliasMaximum,
    Integer maxClientIdLength,
    Boolean outboundTopicAliases,
    Integer publisherHoldMillis)
    implements BrokerOptionsBuilder.With {

  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final int DEFAULT_MAX_PACKET_BYTES = 1024 * 1024;

  /** Largest packet MQTT can encode (remaining length 268,435,455 plus header). */
  public static final int MQTT_MAX_PACKET_BYTES = 268_435_455;

  public static final int DEFAULT_RECEIVE_MAXIMUM = 64;
  public static final int DEFAULT_MAX_INFLIGHT = 64;
  public static final int DEFAULT_MAX_QUEUED_MESSAGES = 1_000;
  public static final QueueOverflowPolicy DEFAULT_QUEUE_OVERFLOW = QueueOverflowPolicy.DROP_OLDEST;
  public static final int DEFAULT_MAX_SUBSCRIPTIONS = 100;
  public static final int DEFAULT_MAX_RETAINED = 10_000;
  public static final long DEFAULT_MAX_SESSION_EXPIRY_SECONDS = Duration.ofDays(7).toSeconds();
  public static final long MQTT_MAX_SESSION_EXPIRY_SECONDS = 0xFFFF_FFFFL;
  public static final int DEFAULT_MAX_KEEP_ALIVE_SECONDS = 600;
  public static final int DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;
  public static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 16;
  public static final int DEFAULT_MAX_CLIENT_ID_LENGTH = 256;
  public static final boolean DEFAULT_OUTBOUND_TOPIC_ALIASES = true;
  public static final int DEFAULT_PUBLISHER_HOLD_MILLIS = 200;

  /** Applies defaults and rejects invalid values with the offending key in the message. */
  public BrokerOptions {
    listeners =
        listeners == null || listeners.isEmpty()
            ? List.of(new ListenerOptions(null, null, null))
            : List.copyOf(listeners);
    instances = orDefault(instances, Math.max(1, Runtime.getRuntime().availableProcessors()));
    maxConnections = orDefault(maxConnections, DEFAULT_MAX_CONNECTIONS);
    maxPacketBytes = orDefault(maxPacketBytes, DEFAULT_MAX_PACKET_BYTES);
    receiveMaximum = orDefault(receiveMaximum, DEFAULT_RECEIVE_MAXIMUM);
    maxInflight = orDefault(maxInflight, DEFAULT_MAX_INFLIGHT);
    maxQueuedMessages = orDefault(maxQueuedMessages, DEFAULT_MAX_QUEUED_MESSAGES);
    queueOverflow = queueOverflow == null ? DEFAULT_QUEUE_OVERFLOW : queueOverflow;
    maxSubscriptionsPerClient = orDefault(maxSubscriptionsPerClient, DEFAULT_MAX_SUBSCRIPTIONS);
    maxRetainedMessages = orDefault(maxRetainedMessages, DEFAULT_MAX_RETAINED);
    maxSessionExpirySeconds =
        maxSessionExpirySeconds == null
            ? DEFAULT_MAX_SESSION_EXPIRY_SECONDS
            : maxSessionExpirySeconds;
    maxKeepAliveSeconds = orDefault(maxKeepAliveSeconds, DEFAULT_MAX_KEEP_ALIVE_SECONDS);
    connectTimeoutSeconds = orDefault(connectTimeoutSeconds, DEFAULT_CONNECT_TIMEOUT_SECONDS);
    topicAliasMaximum = orDefault(topicAliasMaximum, DEFAULT_TOPIC_ALIAS_MAXIMUM);
    maxClientIdLength = orDefault(maxClientIdLength, DEFAULT_MAX_CLIENT_ID_LENGTH);
    outboundTopicAliases =
        outboundTopicAliases == null ? DEFAULT_OUTBOUND_TOPIC_ALIASES : outboundTopicAliases;
    publisherHoldMillis = orDefault(publisherHoldMillis, DEFAULT_PUBLISHER_HOLD_MILLIS);

    require("instances", instances, 1, 1024);
    require("maxConnections", maxConnections, 1, Integer.MAX_VALUE);
    require("maxPacketBytes", maxPacketBytes, 64, MQTT_MAX_PACKET_BYTES);
    require("receiveMaximum", receiveMaximum, 1, 65_535);
    require("maxInflight", maxInflight, 1, 65_535);
    require("maxQueuedMessages", maxQueuedMessages, 0, Integer.MAX_VALUE);
    require("maxSubscriptionsPerClient", maxSubscriptionsPerClient, 1, Integer.MAX_VALUE);
    require("maxRetainedMessages", maxRetainedMessages, 0, Integer.MAX_VALUE);
    if (maxSessionExpirySeconds < 0 || maxSessionExpirySeconds > MQTT_MAX_SESSION_EXPIRY_SECONDS) {
      throw new IllegalArgumentException(
          "maxSessionExpirySeconds: must be 0-4294967295 but was " + maxSessionExpirySeconds);
    }
    require("maxKeepAliveSeconds", maxKeepAliveSeconds, 0, 65_535);
    require("connectTimeoutSeconds", connectTimeoutSeconds, 1, 3_600);
    require("topicAliasMaximum", topicAliasMaximum, 0, 65_535);
    require("maxClientIdLength", maxClientIdLength, 23, 65_535);
    require("publisherHoldMillis", publisherHoldMillis, 10, 60_000);
  }

  /** The options without {@code outboundTopicAliases}, which takes its default. */
  public BrokerOptions(
      List<ListenerOptions> listeners,
      Integer instances,
      Integer maxConnections,
      Integer maxPacketBytes,
      Integer receiveMaximum,
      Integer maxInflight,
      Integer maxQueuedMessages,
      QueueOverflowPolicy queueOverflow,
      Integer maxSubscriptionsPerClient,
      Integer maxRetainedMessages,
      Long maxSessionExpirySeconds,
      Integer maxKeepAliveSeconds,
      Integer connectTimeoutSeconds,
      Integer topicAliasMaximum,
      Integer maxClientIdLength) {
    this(
        listeners,
        instances,
        maxConnections,
        maxPacketBytes,
        receiveMaximum,
        maxInflight,
        maxQueuedMessages,
        queueOverflow,
        maxSubscriptionsPerClient,
        maxRetainedMessages,
        maxSessionExpirySeconds,
        maxKeepAliveSeconds,
        connectTimeoutSeconds,
        topicAliasMaximum,
        maxClientIdLength,
        null,
        null);
  }

  /** All defaults: one listener on 127.0.0.1:1883. */
  public static BrokerOptions defaults() {
    return new BrokerOptions(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  /** A copy with other in-flight and queue bounds. */
  public BrokerOptions withQueueing(int inflight, int queued, QueueOverflowPolicy policy) {
    return with(b -> b.maxInflight(inflight).maxQueuedMessages(queued).queueOverflow(policy));
  }

  /** The connect timeout as a duration. */
  public Duration connectTimeout() {
    return Duration.ofSeconds(connectTimeoutSeconds);
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static void require(String key, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + ": must be " + min + "-" + max + " but was " + value);
    }
  }
}
