package io.outpost.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupChecksTest {

  @TempDir Path dir;

  @Test
  void loopbackListenerWithDefaultsIsQuiet() {
    assertThat(
            StartupChecks.warnings(
                SecurityOptions.defaults(), List.of(new ListenerView("127.0.0.1", 1883, null))))
        .isEmpty();
    assertThat(StartupChecks.isLoopback("localhost")).isTrue();
    assertThat(StartupChecks.isLoopback("0.0.0.0")).isFalse();
  }

  @Test
  void warnsAboutANetworkListenerWithoutTlsOrAuthentication() {
    List<String> warnings =
        StartupChecks.warnings(
            SecurityOptions.defaults(), List.of(new ListenerView("0.0.0.0", 1883, null)));

    assertThat(warnings).anyMatch(w -> w.contains("0.0.0.0:1883") && w.contains("without TLS"));
    assertThat(warnings).anyMatch(w -> w.contains("anonymous"));
  }

  @Test
  void mutualTlsListenerNeedsNoAnonymousWarning() throws Exception {
    Path key = Files.writeString(dir.resolve("k.pem"), "x");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    TlsOptions mtls = TlsOptions.mutual("c.pem", key.toString(), "ca.pem");

    assertThat(
            StartupChecks.warnings(
                SecurityOptions.defaults(), List.of(new ListenerView("0.0.0.0", 8883, mtls))))
        .isEmpty();
  }

  @Test
  void warnsAboutKeyAndPasswordFilesReadableByOthers() throws Exception {
    Path key = Files.writeString(dir.resolve("server.key"), "x");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Path passwd = Files.writeString(dir.resolve("passwd"), "");
    Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-r-----"));

    List<String> warnings =
        StartupChecks.warnings(
            SecurityOptions.defaults().withPasswordFile(passwd.toString()),
            List.of(new ListenerView("127.0.0.1", 8883, TlsOptions.of("c.pem", key.toString()))));

    assertThat(warnings)
        .anyMatch(
            w -> w.contains(key.toString()) && w.contains("everyone") && w.contains("chmod 600"));
    assertThat(warnings).anyMatch(w -> w.contains(passwd.toString()) && w.contains("its group"));
  }

  @Test
  void warnsWhenThePolicyLetsNobodyConnect() {
    SecurityOptions s =
        SecurityOptions.defaults()
            .withPolicy(
                Map.of(),
                List.of(
                    PolicyRule.allow(List.of(PolicyAction.PUBLISH), List.of("*"), List.of("#"))));

    assertThat(StartupChecks.warnings(s, List.of()))
        .anyMatch(w -> w.contains("no 'allow connect' rule"));
  }
}
