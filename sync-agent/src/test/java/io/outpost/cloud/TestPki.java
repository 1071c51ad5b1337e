package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Throw-away certificates made with openssl in a test's directory: CAs, server certificates with a
 * chosen subjectAltName, and device certificates with a PKCS#1 RSA key as AWS IoT Core issues them.
 * Skips the test when openssl is not installed. CA and server keys are EC P-256 (fast to make);
 * device keys are RSA.
 */
final class TestPki {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");
  private final Path dir;

  private TestPki(Path dir) {
    this.dir = dir;
  }

  static TestPki in(Path dir) {
    Assumptions.assumeTrue(Files.isExecutable(OPENSSL), "openssl is not installed");
    return new TestPki(dir);
  }

  /** A self-signed CA: {@code <name>.pem} and {@code <name>.key}. */
  Path ca(String name) throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-subj",
        "/CN=" + name);
    return dir.resolve(name + ".pem");
  }

  /**
   * A server certificate issued by {@code ca} with the given subjectAltName, e.g. {@code
   * IP:127.0.0.1}.
   */
  Path server(String name, String ca, String subjectAltName) throws Exception {
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + name);
    Path extensions =
        Files.writeString(
            dir.resolve(name + ".ext"),
            "subjectAltName=" + subjectAltName + "\n" + "extendedKeyUsage=serverAuth\n");
    sign(name, ca, extensions);
    return dir.resolve(name + ".pem");
  }

  /**
   * A device certificate issued by {@code ca} with CN {@code commonName}; its key is in {@code
   * <name>-pkcs1.key}.
   */
  Path device(String name, String ca, String commonName) throws Exception {
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        name + ".key",
        "-out",
        name + ".csr",
        "-subj",
        "/CN=" + commonName);
    Path extensions =
        Files.writeString(dir.resolve(name + ".ext"), "extendedKeyUsage=clientAuth\n");
    sign(name, ca, extensions);
    openssl("rsa", "-in", name + ".key", "-traditional", "-out", name + "-pkcs1.key");
    assertThat(Files.readString(dir.resolve(name + "-pkcs1.key")))
        .startsWith("-----BEGIN RSA PRIVATE KEY-----");
    return dir.resolve(name + ".pem");
  }

  /** The cloud link's TLS options for a device made by {@link #device}, trusting CA {@code ca}. */
  TlsOptions tls(String device, String ca) {
    return new TlsOptions(
        dir.resolve(device + ".pem").toString(),
        dir.resolve(device + "-pkcs1.key").toString(),
        dir.resolve(ca + ".pem").toString(),
        null);
  }

  Path file(String name) {
    return dir.resolve(name);
  }

  private void sign(String name, String ca, Path extensions) throws Exception {
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        ca + ".pem",
        "-CAkey",
        ca + ".key",
        "-CAcreateserial",
        "-out",
        name + ".pem",
        "-days",
        "2",
        "-extfile",
        extensions.getFileName().toString());
  }

  private void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
    command.addAll(List.of(args));
    Path log = dir.resolve("openssl.log");
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("openssl " + String.join(" ", args) + " did not finish within 60 s");
    }
    assertThat(process.exitValue()).as(Files.readString(log)).isZero();
  }
}
