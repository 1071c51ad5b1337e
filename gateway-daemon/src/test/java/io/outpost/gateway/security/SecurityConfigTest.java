package io.outpost.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.broker.security.ClientAuthMode;
import io.outpost.broker.security.PolicyAction;
import io.outpost.broker.security.PolicyEffect;
import io.outpost.broker.security.SecurityOptions;
import io.outpost.broker.security.StartupChecks;
import io.outpost.broker.security.TlsOptions;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code security:} section as the daemon reads it. */
class SecurityConfigTest {

  private final ConfigLoader loader = new ConfigLoader();

  @Test
  void builtInConfigurationAllowsAnonymousOnlyBecauseNothingIsConfigured() {
    OutpostConfig c = loader.builtIn();

    assertThat(c.security()).isEqualTo(SecurityOptions.defaults());
    assertThat(c.security().allowAnonymous()).isTrue();
    assertThat(c.broker().listeners())
        .allSatisfy(l -> assertThat(StartupChecks.isLoopback(l.host())).isTrue());
  }

  @Test
  void aPasswordFileTurnsAnonymousAccessOffUnlessSaidOtherwise() throws Exception {
    assertThat(
            loader
                .parse("security: {passwordFile: /etc/outpost/passwd}", "t")
                .security()
                .allowAnonymous())
        .isFalse();
    assertThat(
            loader
                .parse("security: {passwordFile: /p, allowAnonymous: true}", "t")
                .security()
                .allowAnonymous())
        .isTrue();
    assertThat(
            loader
                .parse(
                    """
        security:
          rules: [{effect: allow, actions: connect, who: "*"}]
        """,
                    "t")
                .security()
                .allowAnonymous())
        .isFalse();
  }

  @Test
  void readsGroupsAndRulesWithSingleValuesOrLists() throws Exception {
    SecurityOptions s =
        loader
            .parse(
                """
        security:
          passwordFile: /etc/outpost/passwd
          groups:
            operators: [user:alice, cert:console-1]
          rules:
            - {effect: allow, actions: connect, who: authenticated}
            - {effect: allow, actions: [publish, subscribe], who: "*", topics: "devices/${clientId}/#"}
            - {effect: allow, actions: [publish, subscribe], who: group:operators, topics: ["#"]}
            - {effect: deny, actions: subscribe, who: ["*"], topics: [secret/#]}
        """,
                "t")
            .security();

    assertThat(s.groups()).containsEntry("operators", List.of("user:alice", "cert:console-1"));
    assertThat(s.rules()).hasSize(4);
    assertThat(s.rules().get(1).actions())
        .containsExactly(PolicyAction.PUBLISH, PolicyAction.SUBSCRIBE);
    assertThat(s.rules().get(1).topics()).containsExactly("devices/${clientId}/#");
    assertThat(s.rules().get(3).effect()).isEqualTo(PolicyEffect.DENY);
  }

  @Test
  void namesTheKeyOfAnInvalidRule() {
    assertThatThrownBy(
            () ->
                loader.parse(
                    """
        security:
          rules:
            - {effect: allow, actions: connect, who: "*"}
            - {effect: allow, actions: publish, who: "*", topics: "a/#/b"}
        """,
                    "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.rules[1].topics")
        .hasMessageContaining("t:4:");
    assertThatThrownBy(
            () ->
                loader.parse(
                    "security: {rules: [{effect: permit, actions: connect, who: '*'}]}", "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("effect");
    assertThatThrownBy(() -> loader.parse("security: {allowAnonymus: true}", "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("allowAnonymus");
  }

  @Test
  void rejectsOutOfRangeBounds() {
    assertThatThrownBy(() -> loader.parse("security: {authQueueCapacity: 0}", "t"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("security.authQueueCapacity");
  }

  @Test
  void tlsOptionsDefaultToMutualTlsWhenACaIsGiven() {
    assertThat(new TlsOptions("c.pem", "k.pem", "ca.pem", null).clientAuth())
        .isEqualTo(ClientAuthMode.REQUIRE);
    assertThat(TlsOptions.of("c.pem", "k.pem").clientAuth()).isEqualTo(ClientAuthMode.NONE);
    assertThatThrownBy(() -> new TlsOptions("c.pem", "k.pem", null, ClientAuthMode.REQUIRE))
        .hasMessageStartingWith("caFile:");
    assertThatThrownBy(() -> new TlsOptions(null, "k.pem", null, null))
        .hasMessageStartingWith("certFile:");
  }
}
