package io.outpost.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityOptionsTest {

  private static final List<PolicyAction> PUB = List.of(PolicyAction.PUBLISH);

  @Test
  void aPasswordFileOrAPolicyReturnsAnonymousAccessToItsDefault() {
    SecurityOptions open = SecurityOptions.defaults().withAllowAnonymous(true);

    assertThat(open.withPasswordFile("passwd").allowAnonymous()).isFalse();
    SecurityOptions policed =
        open.withPolicy(Map.of(), List.of(PolicyRule.allow(PUB, List.of("*"), List.of("#"))));
    assertThat(policed.allowAnonymous()).isFalse();
    assertThat(open.withPasswordFile("passwd").withAllowAnonymous(true).allowAnonymous()).isTrue();
    assertThat(open.withFileCheckSeconds(5).allowAnonymous()).isTrue();
  }

  @Test
  void aPolicyReplacesGroupsAndRulesTogether() {
    SecurityOptions ops =
        SecurityOptions.defaults()
            .withPolicy(
                Map.of("ops", List.of("user:alice")),
                List.of(PolicyRule.allow(PUB, List.of("group:ops"), List.of("#"))));

    SecurityOptions admins =
        ops.withPolicy(
            Map.of("admins", List.of("user:bob")),
            List.of(PolicyRule.allow(PUB, List.of("group:admins"), List.of("#"))));

    assertThat(admins.groups()).containsOnlyKeys("admins");
    assertThatThrownBy(() -> ops.withGroups(Map.of()))
        .hasMessage("rules[0].who: unknown group 'ops'; define it under security.groups");
  }

  @Test
  void copiesGetTheSameChecks() {
    assertThatThrownBy(() -> SecurityOptions.defaults().withFileCheckSeconds(0))
        .hasMessage("fileCheckSeconds: must be 1-86400 but was 0");
  }
}
