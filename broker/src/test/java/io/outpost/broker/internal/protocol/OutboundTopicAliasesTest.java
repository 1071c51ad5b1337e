package io.outpost.broker.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.mqtt.MqttProperties;
import org.junit.jupiter.api.Test;

class OutboundTopicAliasesTest {

  @Test
  void aTopicGetsTheNextAliasOnceAndKeepsIt() {
    OutboundTopicAliases aliases = new OutboundTopicAliases(3);

    assertThat(aliases.lookup("a")).isEqualTo(new OutboundTopicAliases.Lookup(1, false));
    assertThat(aliases.lookup("b")).isEqualTo(new OutboundTopicAliases.Lookup(2, false));
    assertThat(aliases.lookup("a")).isEqualTo(new OutboundTopicAliases.Lookup(1, true));
    assertThat(aliases.lookup("b")).isEqualTo(new OutboundTopicAliases.Lookup(2, true));
    assertThat(aliases.size()).isEqualTo(2);
  }

  @Test
  void topicsBeyondTheClientsMaximumGetNoAlias() {
    OutboundTopicAliases aliases = new OutboundTopicAliases(1);
    aliases.lookup("a");

    assertThat(aliases.lookup("b")).isEqualTo(OutboundTopicAliases.Lookup.NONE);
    assertThat(aliases.lookup("b").alias()).isZero();
    assertThat(aliases.lookup("a")).isEqualTo(new OutboundTopicAliases.Lookup(1, true));
    assertThat(aliases.size()).isEqualTo(1);
  }

  @Test
  void noneAssignsNothingAndAddsNoBytes() {
    OutboundTopicAliases none = OutboundTopicAliases.none();

    assertThat(none.lookup("a")).isEqualTo(OutboundTopicAliases.Lookup.NONE);
    assertThat(none.maxExtraBytes()).isZero();
    assertThat(new OutboundTopicAliases(5).maxExtraBytes()).isEqualTo(3);
  }

  @Test
  void addingTheAliasNeverChangesTheSharedEmptyProperties() {
    MqttProperties p = new OutboundTopicAliases.Lookup(7, true).addTo(MqttProperties.NO_PROPERTIES);

    assertThat(p).isNotSameAs(MqttProperties.NO_PROPERTIES);
    assertThat(p.getProperty(MqttProperties.TOPIC_ALIAS).value()).isEqualTo(7);
    assertThat(MqttProperties.NO_PROPERTIES.isEmpty()).isTrue();
  }
}
