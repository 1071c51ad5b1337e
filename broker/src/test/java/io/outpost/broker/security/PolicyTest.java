package io.outpost.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyTest {

  private static final List<PolicyAction> CONNECT = List.of(PolicyAction.CONNECT);
  private static final List<PolicyAction> PUB = List.of(PolicyAction.PUBLISH);
  private static final List<PolicyAction> SUB = List.of(PolicyAction.SUBSCRIBE);
  private static final List<PolicyAction> PUB_SUB =
      List.of(PolicyAction.PUBLISH, PolicyAction.SUBSCRIBE);

  /** The documented "every device owns its topics" policy. */
  private static Policy deviceOwnsItsTopics() {
    return Policy.of(
        SecurityOptions.defaults()
            .withPolicy(
                Map.of("operators", List.of("user:alice")),
                List.of(
                    PolicyRule.allow(CONNECT, List.of("authenticated"), List.of()),
                    PolicyRule.allow(PUB_SUB, List.of("*"), List.of("devices/${clientId}/#")),
                    PolicyRule.allow(PUB_SUB, List.of("group:operators"), List.of("#")),
                    PolicyRule.deny(SUB, List.of("*"), List.of("secret/#")))));
  }

  private static ClientIdentity user(String clientId, String username) {
    return ClientIdentity.anonymous(clientId).withUsername(username);
  }

  @Test
  void deviceMayUseOnlyItsOwnTopics() {
    ClientPermissions a = deviceOwnsItsTopics().forClient(user("device-a", "device-a"));

    assertThat(a.mayConnect()).isTrue();
    assertThat(a.mayPublish("devices/device-a/telemetry")).isTrue();
    assertThat(a.mayPublish("devices/device-b/telemetry")).isFalse();
    assertThat(a.maySubscribe("devices/device-a/cmd/#")).isTrue();
    assertThat(a.maySubscribe("devices/device-b/cmd/#")).isFalse();
    assertThat(a.maySubscribe("devices/+/cmd")).isFalse();
  }

  @Test
  void subscribingToEverythingNeedsARuleForExactlyThat() {
    ClientPermissions device = deviceOwnsItsTopics().forClient(user("device-a", "device-a"));
    ClientPermissions alice = deviceOwnsItsTopics().forClient(user("console", "alice"));

    assertThat(device.maySubscribe("#")).isFalse();
    assertThat(alice.maySubscribe("#")).isFalse(); // overlaps the secret/# deny rule
    assertThat(alice.maySubscribe("devices/#")).isTrue();
    assertThat(alice.mayPublish("devices/device-b/cmd")).isTrue();
  }

  @Test
  void denyWinsOverAllowWhateverTheOrder() {
    Policy p =
        Policy.of(
            SecurityOptions.defaults()
                .withPolicy(
                    Map.of(),
                    List.of(
                        PolicyRule.deny(PUB, List.of("user:mallory"), List.of("alarms/#")),
                        PolicyRule.allow(CONNECT, List.of("*"), List.of()),
                        PolicyRule.allow(PUB, List.of("*"), List.of("#")))));

    assertThat(p.forClient(user("m", "mallory")).mayPublish("alarms/fire")).isFalse();
    assertThat(p.forClient(user("m", "mallory")).mayPublish("status")).isTrue();
    assertThat(p.forClient(user("b", "bob")).mayPublish("alarms/fire")).isTrue();
  }

  @Test
  void deniesByDefaultOnceAPolicyExists() {
    Policy p =
        Policy.of(
            SecurityOptions.defaults()
                .withPolicy(
                    Map.of(), List.of(PolicyRule.allow(PUB, List.of("user:bob"), List.of("a")))));
    ClientPermissions bob = p.forClient(user("b", "bob"));

    assertThat(bob.mayConnect()).isFalse();
    assertThat(bob.maySubscribe("a")).isFalse();
    assertThat(bob.mayPublish("b")).isFalse();
    assertThat(
            Policy.of(SecurityOptions.defaults())
                .forClient(ClientIdentity.anonymous("x"))
                .mayPublish("b"))
        .isTrue();
  }

  @Test
  void wildcardClientIdsCannotWidenTheirTopics() {
    Policy p = deviceOwnsItsTopics();

    for (String evil : List.of("#", "+", "a/b", "")) {
      ClientPermissions perms = p.forClient(user(evil, "device-x"));
      assertThat(perms.mayPublish("devices/device-a/telemetry")).as(evil).isFalse();
      assertThat(perms.maySubscribe("devices/#")).as(evil).isFalse();
    }
  }

  @Test
  void denyRuleWithoutASafeValueFailsClosed() {
    Policy p =
        Policy.of(
            SecurityOptions.defaults()
                .withPolicy(
                    Map.of(),
                    List.of(
                        PolicyRule.allow(PUB, List.of("*"), List.of("#")),
                        PolicyRule.deny(PUB, List.of("*"), List.of("private/${username}/#")))));

    assertThat(p.forClient(ClientIdentity.anonymous("c")).mayPublish("public/x")).isFalse();
    assertThat(p.forClient(user("c", "bob")).mayPublish("public/x")).isTrue();
    assertThat(p.forClient(user("c", "bob")).mayPublish("private/bob/x")).isFalse();
  }

  @Test
  void certificateNamesIdentifyAndSubstitute() {
    Policy p =
        Policy.of(
            SecurityOptions.defaults()
                .withPolicy(
                    Map.of("sensors", List.of("cert:sensor-7")),
                    List.of(
                        PolicyRule.allow(CONNECT, List.of("group:sensors"), List.of()),
                        PolicyRule.allow(
                            PUB, List.of("group:sensors"), List.of("sensors/${certCN}/data")))));
    ClientIdentity sensor =
        new ClientIdentity("whatever", null, "sensor-7", List.of("sensor-7", "s7.local"));

    assertThat(p.forClient(sensor).mayConnect()).isTrue();
    assertThat(p.forClient(sensor).mayPublish("sensors/sensor-7/data")).isTrue();
    assertThat(p.forClient(sensor).mayPublish("sensors/sensor-8/data")).isFalse();
    assertThat(p.forClient(user("sensor-7", "sensor-7")).mayConnect()).isFalse();
  }

  @Test
  void anonymousAndAuthenticatedPrincipals() {
    Policy p =
        Policy.of(
            SecurityOptions.defaults()
                .withPolicy(
                    Map.of(),
                    List.of(
                        PolicyRule.allow(CONNECT, List.of("*"), List.of()),
                        PolicyRule.allow(SUB, List.of("anonymous"), List.of("public/#")),
                        PolicyRule.allow(SUB, List.of("authenticated"), List.of("private/#")))));

    assertThat(p.forClient(ClientIdentity.anonymous("x")).maySubscribe("public/#")).isTrue();
    assertThat(p.forClient(ClientIdentity.anonymous("x")).maySubscribe("private/a")).isFalse();
    assertThat(p.forClient(user("x", "u")).maySubscribe("private/a")).isTrue();
    assertThat(p.forClient(user("x", "u")).maySubscribe("public/a")).isFalse();
  }

  @Test
  void rejectsMalformedRules() {
    assertThatThrownBy(() -> PolicyRule.allow(PUB, List.of("root"), List.of("a")))
        .hasMessageStartingWith("who:");
    assertThatThrownBy(() -> PolicyRule.allow(PUB, List.of("*"), List.of()))
        .hasMessageStartingWith("topics:");
    assertThatThrownBy(() -> PolicyRule.allow(PUB, List.of("*"), List.of("a/${deviceId}")))
        .hasMessageContaining("unknown variable");
    assertThatThrownBy(() -> PolicyRule.allow(PUB, List.of("*"), List.of("a/#/b")))
        .hasMessageStartingWith("topics:");
    assertThatThrownBy(
            () ->
                PolicyRule.allow(
                    List.of(PolicyAction.CONNECT, PolicyAction.PUBLISH),
                    List.of("*"),
                    List.of("a")))
        .hasMessageStartingWith("actions:");
    assertThatThrownBy(
            () ->
                SecurityOptions.defaults()
                    .withPolicy(
                        Map.of(),
                        List.of(PolicyRule.allow(CONNECT, List.of("group:nobody"), List.of()))))
        .hasMessageContaining("unknown group 'nobody'");
  }
}
