package io.outpost.broker.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONNECT decisions: passwords, certificates, anonymous access, the connect and will checks, and
 * their metrics.
 */
class SecurityServiceTest {

  @TempDir Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<SecurityService> services = new ArrayList<>();
  private Path passwd;

  @BeforeEach
  void writePasswords() throws Exception {
    passwd = dir.resolve("passwd");
    PasswordFile.empty().with("device-a", "pw-a".getBytes(UTF_8)).save(passwd);
  }

  @AfterEach
  void stop() {
    services.forEach(SecurityService::stop);
  }

  private SecurityService start(SecurityOptions options) {
    SecurityService s = new SecurityService(options, registry);
    services.add(s);
    s.start();
    return s;
  }

  private static AuthOutcome connect(
      SecurityService s, String clientId, String user, String password) throws Exception {
    return connect(
        s,
        new ConnectCredentials(
            clientId, user, password == null ? null : password.getBytes(UTF_8), List.of(), null));
  }

  private static AuthOutcome connect(SecurityService s, ConnectCredentials c) throws Exception {
    return s.authenticate(c).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private double failures(String reason) {
    var c = registry.find(SecurityMetrics.AUTH_FAILURES).tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private double denied(String action) {
    var c = registry.find(SecurityMetrics.DENIED).tag("action", action).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void acceptsTheRightPasswordAndRefusesAWrongOne() throws Exception {
    SecurityService s = start(SecurityOptions.defaults().withPasswordFile(passwd.toString()));

    AuthOutcome ok = connect(s, "c1", "device-a", "pw-a");
    AuthOutcome wrong = connect(s, "c1", "device-a", "pw-b");
    AuthOutcome unknown = connect(s, "c1", "device-z", "pw-a");
    AuthOutcome missing = connect(s, "c1", "device-a", null);

    assertThat(ok.accepted()).isTrue();
    assertThat(ok.identity().username()).isEqualTo("device-a");
    assertThat(wrong.result()).isEqualTo(AuthOutcome.Result.BAD_CREDENTIALS);
    assertThat(wrong.result().mqtt5ReasonCode()).isEqualTo(0x86);
    assertThat(wrong.result().mqtt3ReturnCode()).isEqualTo(0x04);
    assertThat(unknown.result()).isEqualTo(AuthOutcome.Result.BAD_CREDENTIALS);
    assertThat(missing.result()).isEqualTo(AuthOutcome.Result.BAD_CREDENTIALS);
    assertThat(failures("bad-credentials")).isEqualTo(3);
  }

  @Test
  void refusesAnonymousClientsOnceAPasswordFileIsConfigured() throws Exception {
    SecurityService s = start(SecurityOptions.defaults().withPasswordFile(passwd.toString()));

    AuthOutcome anonymous = connect(s, "c1", null, null);

    assertThat(anonymous.result()).isEqualTo(AuthOutcome.Result.ANONYMOUS_REFUSED);
    assertThat(anonymous.result().mqtt5ReasonCode()).isEqualTo(0x87);
    assertThat(failures("anonymous")).isEqualTo(1);
  }

  @Test
  void withoutAPasswordFileUserNamesProveNothing() throws Exception {
    SecurityService s = start(SecurityOptions.defaults());

    AuthOutcome claimed = connect(s, "c1", "alice", "anything");

    assertThat(claimed.accepted()).isTrue();
    assertThat(claimed.identity().username()).isNull();
    assertThat(claimed.identity().anonymous()).isTrue();
  }

  @Test
  void aVerifiedCertificateAuthenticatesWithoutPassword() throws Exception {
    TestPki.Issued ca = TestPki.ca("ca");
    X509Certificate cert = TestPki.client(ca, "sensor-7", "sensor-7.plant.local").cert();
    SecurityService s = start(SecurityOptions.defaults().withPasswordFile(passwd.toString()));

    AuthOutcome outcome = connect(s, new ConnectCredentials("c1", null, null, List.of(cert), null));

    assertThat(outcome.accepted()).isTrue();
    assertThat(outcome.identity().certCommonName()).isEqualTo("sensor-7");
    assertThat(outcome.identity().certNames()).containsExactly("sensor-7", "sensor-7.plant.local");
  }

  @Test
  void aCertificateWithoutCnIsKnownByItsFirstSan() throws Exception {
    TestPki.Issued ca = TestPki.ca("ca");
    X509Certificate cert = TestPki.client(ca, null, "gw-3.plant.local").cert();

    ClientIdentity id = CertificateNames.identity("c", List.of(cert));

    assertThat(id.certCommonName()).isEqualTo("gw-3.plant.local");
  }

  @Test
  void appliesThePolicyToConnectAndTheWillTopic() throws Exception {
    SecurityService s =
        start(
            SecurityOptions.defaults()
                .withPasswordFile(passwd.toString())
                .withPolicy(
                    Map.of(),
                    List.of(
                        PolicyRule.allow(
                            List.of(PolicyAction.CONNECT), List.of("user:device-a"), List.of()),
                        PolicyRule.allow(
                            List.of(PolicyAction.PUBLISH),
                            List.of("*"),
                            List.of("devices/${username}/#")))));

    AuthOutcome goodWill =
        connect(
            s,
            new ConnectCredentials(
                "c1", "device-a", "pw-a".getBytes(UTF_8), List.of(), "devices/device-a/status"));
    AuthOutcome foreignWill =
        connect(
            s,
            new ConnectCredentials(
                "c1", "device-a", "pw-a".getBytes(UTF_8), List.of(), "devices/device-b/status"));

    assertThat(goodWill.accepted()).isTrue();
    assertThat(s.authorizePublish(goodWill.permissions(), "devices/device-a/t")).isTrue();
    assertThat(s.authorizePublish(goodWill.permissions(), "devices/device-b/t")).isFalse();
    assertThat(s.authorizeSubscribe(goodWill.permissions(), "#")).isFalse();
    assertThat(foreignWill.result()).isEqualTo(AuthOutcome.Result.NOT_AUTHORIZED);
    assertThat(denied("publish")).isEqualTo(2);
    assertThat(denied("subscribe")).isEqualTo(1);
  }

  @Test
  void refusesToStartWithAMissingOrMalformedPasswordFile() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken"), "bob:hunter2\n");
    SecurityService missing =
        new SecurityService(
            SecurityOptions.defaults().withPasswordFile(dir.resolve("nope").toString()), registry);
    SecurityService malformed =
        new SecurityService(
            SecurityOptions.defaults().withPasswordFile(broken.toString()), registry);
    services.add(missing);
    services.add(malformed);

    org.assertj.core.api.Assertions.assertThatThrownBy(missing::start)
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("nope");
    org.assertj.core.api.Assertions.assertThatThrownBy(malformed::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1");
  }

  @Test
  void refusesAsBusyWhenThePasswordQueueIsFull() throws Exception {
    SecurityService s = start(new SecurityOptions(passwd.toString(), null, null, null, 1, 1, null));
    List<CompletableFuture<AuthOutcome>> pending = new ArrayList<>();

    for (int i = 0; i < 6; i++) {
      pending.add(
          s.authenticate(
                  new ConnectCredentials(
                      "c" + i, "device-a", "pw-a".getBytes(UTF_8), List.of(), null))
              .toCompletableFuture());
    }

    List<AuthOutcome.Result> results = new ArrayList<>();
    for (CompletableFuture<AuthOutcome> f : pending) {
      results.add(f.get(60, TimeUnit.SECONDS).result());
    }
    assertThat(results).contains(AuthOutcome.Result.ACCEPTED, AuthOutcome.Result.BUSY);
    assertThat(failures("busy"))
        .isEqualTo(results.stream().filter(r -> r == AuthOutcome.Result.BUSY).count());
  }

  @Test
  void picksUpPasswordFileChangesWithoutRestart() throws Exception {
    SecurityService s = start(SecurityOptions.defaults().withPasswordFile(passwd.toString()));
    PasswordFile.load(passwd).with("device-b", "pw-b".getBytes(UTF_8)).save(passwd);

    s.checkFilesNow();

    assertThat(connect(s, "c2", "device-b", "pw-b").accepted()).isTrue();
    Files.writeString(passwd, "garbage\n");
    s.checkFilesNow();
    assertThat(connect(s, "c2", "device-b", "pw-b").accepted())
        .as("a broken file keeps the previous users")
        .isTrue();
    assertThat(registry.find(SecurityMetrics.RELOADS).tag("result", "failed").counter().count())
        .isEqualTo(1);
  }

  @Test
  void neverAcceptsMalformedOrOversizedConnectFields() throws Exception {
    SecurityService s =
        start(
            SecurityOptions.defaults()
                .withPasswordFile(passwd.toString())
                .withPolicy(
                    Map.of(),
                    List.of(
                        PolicyRule.allow(
                            List.of(PolicyAction.CONNECT), List.of("authenticated"), List.of()),
                        PolicyRule.allow(
                            List.of(PolicyAction.PUBLISH),
                            List.of("*"),
                            List.of("devices/${clientId}/#")))));
    java.util.Random random = new java.util.Random(42);
    List<String> clientIds =
        List.of("", "#", "+", "a/b", "\u0000", "x".repeat(70_000), "\uD800", "device-a");
    List<String> users =
        new ArrayList<>(
            List.of(
                "",
                "device-a\u0000",
                "device-a ",
                "DEVICE-A",
                "x".repeat(70_000),
                "device-a:pw-a",
                "\uFFFF"));
    List<byte[]> passwords =
        new ArrayList<>(
            List.of(
                new byte[0],
                new byte[65_535],
                "pw-a\u0000".getBytes(UTF_8),
                "pw-".getBytes(UTF_8)));
    for (int i = 0; i < 4; i++) {
      byte[] junk = new byte[random.nextInt(300)];
      random.nextBytes(junk);
      passwords.add(junk);
    }
    List<String> wills =
        java.util.Arrays.asList(null, "devices/#", "devices/+/x", "", "devices/device-a/\u0000");

    for (String clientId : clientIds) {
      for (String user : users) {
        byte[] password = passwords.get(random.nextInt(passwords.size()));
        String will = wills.get(random.nextInt(wills.size()));
        AuthOutcome o =
            connect(s, new ConnectCredentials(clientId, user, password, List.of(), will));
        assertThat(o.accepted()).as("%s / %s", clientId.length(), user.length()).isFalse();
      }
      AuthOutcome wildWill =
          connect(
              s,
              new ConnectCredentials(
                  clientId, "device-a", "pw-a".getBytes(UTF_8), List.of(), "devices/#"));
      assertThat(wildWill.accepted()).isFalse();
    }
    assertThat(failures("bad-credentials")).isEqualTo(clientIds.size() * users.size());
  }
}
