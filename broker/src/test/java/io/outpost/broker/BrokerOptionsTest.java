package io.outpost.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

class BrokerOptionsTest {

  private final ObjectMapper yaml =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void appliesDefaultsForAbsentKeys() throws Exception {
    BrokerOptions o =
        yaml.readValue("listeners: [{host: 127.0.0.1, port: 0}]\n", BrokerOptions.class);
    assertThat(o.listeners()).containsExactly(ListenerOptions.of("127.0.0.1", 0));
    assertThat(o.maxConnections()).isEqualTo(BrokerOptions.DEFAULT_MAX_CONNECTIONS);
    assertThat(o.maxPacketBytes()).isEqualTo(BrokerOptions.DEFAULT_MAX_PACKET_BYTES);
    assertThat(o.queueOverflow()).isEqualTo(QueueOverflowPolicy.DROP_OLDEST);
    assertThat(o.publisherHoldMillis()).isEqualTo(BrokerOptions.DEFAULT_PUBLISHER_HOLD_MILLIS);
    assertThat(o.instances()).isPositive();
    assertThat(BrokerOptions.defaults().listeners())
        .containsExactly(ListenerOptions.of("127.0.0.1", 1883));
  }

  @Test
  void readsEveryKey() throws Exception {
    BrokerOptions o =
        yaml.readValue(
            """
                listeners: [{port: 1884}]
                instances: 2
                maxConnections: 5
                maxPacketBytes: 2048
                receiveMaximum: 10
                maxInflight: 3
                maxQueuedMessages: 7
                queueOverflow: drop-newest
                maxSubscriptionsPerClient: 9
                maxRetainedMessages: 11
                maxSessionExpirySeconds: 60
                maxKeepAliveSeconds: 30
                connectTimeoutSeconds: 4
                topicAliasMaximum: 0
                maxClientIdLength: 64
                """,
            BrokerOptions.class);
    assertThat(o)
        .isEqualTo(
            new BrokerOptions(
                java.util.List.of(ListenerOptions.of("127.0.0.1", 1884)),
                2,
                5,
                2048,
                10,
                3,
                7,
                QueueOverflowPolicy.DROP_NEWEST,
                9,
                11,
                60L,
                30,
                4,
                0,
                64));
  }

  @Test
  void rejectsInvalidValuesNamingTheKey() {
    assertThatThrownBy(() -> yaml.readValue("maxInflight: 0\n", BrokerOptions.class))
        .isInstanceOf(ValueInstantiationException.class)
        .hasMessageContaining("maxInflight: must be");
    assertThatThrownBy(() -> yaml.readValue("queueOverflow: block\n", BrokerOptions.class))
        .hasMessageContaining("queueOverflow");
    assertThatThrownBy(() -> yaml.readValue("listeners: [{port: 70000}]\n", BrokerOptions.class))
        .hasMessageContaining("port: must be 0-65535");
    assertThatThrownBy(() -> yaml.readValue("maxConections: 3\n", BrokerOptions.class))
        .hasMessageContaining("maxConections");
  }

  @Test
  void publisherHoldBoundIsConfiguredAndAtLeastOnePause() throws Exception {
    assertThat(
            yaml.readValue("publisherHoldMillis: 50\n", BrokerOptions.class).publisherHoldMillis())
        .isEqualTo(50);
    assertThat(BrokerOptions.defaults().withPublisherHoldMillis(30).publisherHoldMillis())
        .isEqualTo(30);
    assertThatThrownBy(() -> yaml.readValue("publisherHoldMillis: 5\n", BrokerOptions.class))
        .hasMessageContaining("publisherHoldMillis: must be 10-60000");
  }

  @Test
  void copiesGetTheSameDefaultsAndChecks() {
    BrokerOptions o = BrokerOptions.defaults().withQueueing(8, 20, QueueOverflowPolicy.DROP_NEWEST);
    assertThat(o.maxInflight()).isEqualTo(8);
    assertThat(o.maxQueuedMessages()).isEqualTo(20);
    assertThat(o.queueOverflow()).isEqualTo(QueueOverflowPolicy.DROP_NEWEST);
    assertThat(o.withMaxConnections(null).maxConnections())
        .isEqualTo(BrokerOptions.DEFAULT_MAX_CONNECTIONS);
    assertThatThrownBy(() -> o.withMaxInflight(0))
        .hasMessage("maxInflight: must be 1-65535 but was 0");
  }
}
