package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.TlsFileChecks;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code validate} loads every TLS key and certificate as {@code run} will, with the one PEM
 * reader: a SEC1 EC key is accepted for the cloud link as for listeners, and a key problem is
 * reported by {@code validate} and {@code run} alike with exit 78, naming the key, its line and the
 * file. Keys are made with openssl per test.
 */
@Timeout(120)
class TlsValidationTest {

  @TempDir Path dir;

  private void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(Files.readString(dir.resolve("openssl.log"))).isZero();
  }

  @BeforeEach
  void makeKeys() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    // an EC key in SEC1 form ("BEGIN EC PRIVATE KEY"), as openssl ecparam writes it, and its
    // certificate
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "ec.key");
    openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        "ec.key",
        "-out",
        "ec.pem",
        "-days",
        "2",
        "-subj",
        "/CN=edge-1");
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "other.key");
    Files.createDirectories(dir.resolve("data"));
  }

  private Path config(String keyFile, String listenerKey) throws Exception {
    return Files.writeString(
        dir.resolve("outpost.yaml"),
        """
        broker:
          listeners:
            - {host: 127.0.0.1, port: 0}
            - host: 127.0.0.1
              port: 0
              tls: {certFile: %s, keyFile: %s}
        storage: {dir: %s}
        admin: {enabled: false}
        cloud:
          url: ssl://127.0.0.1:8883
          clientId: edge-1
          tls:
            certFile: %s
            keyFile: %s
        """
            .formatted(
                dir.resolve("ec.pem"),
                dir.resolve(listenerKey),
                dir.resolve("data"),
                dir.resolve("ec.pem"),
                dir.resolve(keyFile)));
  }

  private record Run(int exit, String err) {}

  private static Run cli(String... args) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = OutpostCommand.commandLine().execute(args);
      return new Run(exit, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void aSec1EcKeyIsAcceptedForTheCloudLinkAsForListeners() throws Exception {
    Path file = config("ec.key", "ec.key");
    assertThat(Files.readString(dir.resolve("ec.key"))).contains("BEGIN EC PRIVATE KEY");

    assertThat(TlsFileChecks.problems(new ConfigLoader().load(file), file)).isEmpty();
  }

  @Test
  void validateAndRunBothRefuseAKeyThatIsNotTheCertificatesWithExit78NamingKeyLineAndFile()
      throws Exception {
    Path file = config("other.key", "missing.key");

    List<ConfigException> problems = TlsFileChecks.problems(new ConfigLoader().load(file), file);
    assertThat(problems)
        .extracting(ConfigException::keyPath)
        .containsExactly("broker.listeners[1].tls", "cloud.tls");
    assertThat(problems.get(0).line()).isEqualTo(6);
    assertThat(problems.get(0).reason()).isEqualTo(dir.resolve("missing.key") + ": file not found");
    assertThat(problems.get(1).line()).isEqualTo(12);
    assertThat(problems.get(1).reason())
        .isEqualTo(
            dir.resolve("other.key")
                + " is not the private key of the certificate in "
                + dir.resolve("ec.pem"));

    Run validate = cli("validate", "--config", file.toString());
    assertThat(validate.exit()).isEqualTo(ExitCodes.CONFIG);
    assertThat(validate.err())
        .contains(file + ":6: broker.listeners[1].tls: ")
        .contains(file + ":12: cloud.tls: ")
        .doesNotContain("Exception");
    Run run = cli("run", "--config", file.toString());
    assertThat(run.exit())
        .as("run fails as validate does, before starting anything")
        .isEqualTo(ExitCodes.CONFIG);
    assertThat(run.err()).isEqualTo(validate.err());
  }
}
