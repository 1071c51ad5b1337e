package io.outpost.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS from PEM files the way AWS IoT Core issues them (PKCS#1 RSA device key), with ALPN,
 * against a real TLS server socket on 127.0.0.1 that requires a client certificate. Certificates
 * are made with openssl per test.
 */
class PemTlsTest {
  @TempDir Path dir;

  private void openssl(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
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
  void makeCertificates() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Outpost Test CA");
    for (String name : List.of("server", "device")) {
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
          "/CN=" + name);
      openssl(
          "x509",
          "-req",
          "-in",
          name + ".csr",
          "-CA",
          "ca.pem",
          "-CAkey",
          "ca.key",
          "-CAcreateserial",
          "-out",
          name + ".pem",
          "-days",
          "2");
    }
    // AWS IoT hands out the device key as PKCS#1 ("BEGIN RSA PRIVATE KEY")
    openssl("rsa", "-in", "device.key", "-traditional", "-out", "device-pkcs1.key");
  }

  private SSLServerSocket server() throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    List<Certificate> chain = PemTls.certificates(dir.resolve("server.pem"));
    keys.setKeyEntry(
        "server",
        PemTls.privateKey(dir.resolve("server.key")),
        new char[0],
        chain.toArray(Certificate[]::new));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", PemTls.certificates(dir.resolve("ca.pem")).get(0));
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    SSLServerSocket server =
        (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    SSLParameters parameters = server.getSSLParameters();
    parameters.setNeedClientAuth(true);
    parameters.setApplicationProtocols(new String[] {"x-amzn-mqtt-ca"});
    server.setSSLParameters(parameters);
    return server;
  }

  /** What the server saw: the client certificate's subject and the negotiated ALPN protocol. */
  private record Seen(String clientSubject, String protocol) {}

  @Test
  void authenticatesWithAPkcs1DeviceKeyAndNegotiatesAlpn() throws Exception {
    try (SSLServerSocket server = server()) {
      CompletableFuture<Seen> seen =
          CompletableFuture.supplyAsync(
              () -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                  accepted.startHandshake();
                  X509Certificate client =
                      (X509Certificate) accepted.getSession().getPeerCertificates()[0];
                  String protocol = accepted.getApplicationProtocol();
                  accepted.getOutputStream().write(1);
                  return new Seen(client.getSubjectX500Principal().getName(), protocol);
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      SSLSocketFactory factory =
          PemTls.socketFactory(
              new TlsOptions(
                  dir.resolve("device.pem").toString(),
                  dir.resolve("device-pkcs1.key").toString(),
                  dir.resolve("ca.pem").toString(),
                  "x-amzn-mqtt-ca"));
      try (SSLSocket socket = (SSLSocket) factory.createSocket()) {
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000);
        socket.startHandshake();
        assertThat(socket.getInputStream().read()).isEqualTo(1);
        assertThat(socket.getApplicationProtocol()).isEqualTo("x-amzn-mqtt-ca");
        assertThat(socket.getTcpNoDelay()).isTrue();
      }
      assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo(new Seen("CN=device", "x-amzn-mqtt-ca"));
    }
  }

  @Test
  void readsPkcs8Pkcs1AndSec1KeysAndNamesTheFileOfABrokenOne() throws Exception {
    assertThat(PemTls.privateKey(dir.resolve("device.key")).getAlgorithm()).isEqualTo("RSA");
    assertThat(PemTls.privateKey(dir.resolve("device-pkcs1.key")).getAlgorithm()).isEqualTo("RSA");
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", "ec-sec1.key");
    assertThat(Files.readString(dir.resolve("ec-sec1.key"))).contains("BEGIN EC PRIVATE KEY");
    assertThat(PemTls.privateKey(dir.resolve("ec-sec1.key")).getAlgorithm()).isEqualTo("EC");
    Path bogus =
        Files.writeString(
            dir.resolve("bogus.key"),
            "-----BEGIN EC PRIVATE KEY-----\nAAAA\n" + "-----END EC PRIVATE KEY-----\n");
    assertThatThrownBy(() -> PemTls.privateKey(bogus))
        .hasMessageStartingWith(bogus.toString())
        .hasMessageNotContaining("Exception");
  }

  @Test
  void refusesAServerSignedByAnotherCa() throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Other CA");
    try (SSLServerSocket server = server()) {
      CompletableFuture<Void> accepting =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                  accepted.startHandshake();
                } catch (IOException expected) {
                  // the client aborts the handshake
                }
              });
      SSLSocketFactory factory =
          PemTls.socketFactory(
              new TlsOptions(
                  dir.resolve("device.pem").toString(),
                  dir.resolve("device.key").toString(),
                  dir.resolve("other.pem").toString(),
                  null));
      try (SSLSocket socket = (SSLSocket) factory.createSocket()) {
        socket.connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 10_000);
        assertThatThrownBy(socket::startHandshake)
            .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
      }
      accepting.get(30, TimeUnit.SECONDS);
    }
  }
}
