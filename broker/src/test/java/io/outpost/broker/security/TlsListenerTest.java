package io.outpost.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.mqtt.MqttServer;
import io.vertx.mqtt.MqttServerOptions;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS listeners built from {@link TlsSupport} on a real vertx-mqtt server with real Paho clients:
 * mutual TLS, client identity from the certificate, protocol and cipher restrictions, and
 * certificate renewal without restart.
 */
class TlsListenerTest {

  @TempDir Path dir;

  private Vertx vertx;
  private MqttServer server;
  private SecurityService security;
  private TestPki.Issued ca;
  private TestPki.Pem serverPem;
  private Path caFile;
  private final List<String> connectedIdentities = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void createPki() throws Exception {
    vertx = Vertx.vertx();
    ca = TestPki.ca("Outpost Test CA");
    serverPem = TestPki.server(ca, "gateway").write(dir, "server");
    caFile = Files.writeString(dir.resolve("ca.crt"), TestPki.pem(ca.cert()));
    security = new SecurityService(SecurityOptions.defaults(), registry);
    security.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    security.stop();
    if (server != null) {
      server.close().await(10, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private int listen(TlsOptions tls) throws Exception {
    MqttServerOptions options =
        TlsSupport.apply(security.tls(tls).sslOptions(), new MqttServerOptions());
    server = MqttServer.create(vertx, options);
    server.endpointHandler(
        ep -> {
          ClientIdentity id =
              CertificateNames.identity(
                  ep.clientIdentifier(), ConnectCredentials.peerCertificates(ep.sslSession()));
          connectedIdentities.add(String.valueOf(id.certCommonName()));
          ep.accept(false);
        });
    server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private TlsOptions mutualTls() {
    return TlsOptions.mutual(
        serverPem.cert().toString(), serverPem.key().toString(), caFile.toString());
  }

  private static void connect(String url, SSLContext ssl) throws MqttException {
    MqttClient client = new MqttClient(url, "device-" + System.nanoTime(), new MemoryPersistence());
    try {
      MqttConnectOptions o = new MqttConnectOptions();
      o.setConnectionTimeout(10);
      if (ssl != null) {
        o.setSocketFactory(ssl.getSocketFactory());
      }
      client.connect(o);
      client.disconnect();
    } finally {
      client.close(true);
    }
  }

  private X509Certificate handshake(int port, SSLContext ctx, String protocol, String suite)
      throws Exception {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      if (protocol != null) {
        s.setEnabledProtocols(new String[] {protocol});
      }
      if (suite != null) {
        s.setEnabledCipherSuites(new String[] {suite});
      }
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void validClientConnectsAndItsCertificateNameBecomesItsIdentity() throws Exception {
    int port = listen(mutualTls());

    connect("ssl://127.0.0.1:" + port, TestPki.client(ca, "sensor-7", null).clientContext(ca));

    assertThat(connectedIdentities).containsExactly("sensor-7");
  }

  @Test
  void plainClientIsRejectedOnATlsListener() throws Exception {
    int port = listen(TlsOptions.of(serverPem.cert().toString(), serverPem.key().toString()));

    try (Socket plain = new Socket("127.0.0.1", port)) {
      assertThat(mqttConnectAnswered(plain)).isFalse();
    }
    assertThat(connectedIdentities).isEmpty();
  }

  @Test
  void clientWithACertificateFromAnotherCaIsRejectedUnderMutualTls() throws Exception {
    int port = listen(mutualTls());
    TestPki.Issued rogueCa = TestPki.ca("Rogue CA");
    TestPki.Issued rogue = TestPki.client(rogueCa, "sensor-7", null);
    // the rogue client trusts our server, so only the server's check of its certificate can stop it
    SSLContext rogueCtx = rogueClientContext(rogue);
    SSLContext noCertCtx = TestPki.anonymousClientContext(ca);

    for (SSLContext ctx : List.of(rogueCtx, noCertCtx)) {
      try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
        assertThat(mqttConnectAnswered(s)).isFalse();
      }
    }
    assertThat(connectedIdentities).isEmpty();
  }

  /**
   * Sends an MQTT 3.1.1 CONNECT and reads the answer: true for a CONNACK, false when the server
   * closed the connection or the TLS handshake failed (with TLS 1.3 a refused client certificate
   * surfaces on the first read).
   */
  private static boolean mqttConnectAnswered(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    byte[] connect = {
      0x10, 0x0f, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02, 0x00, 0x3c, 0x00, 0x03, 'd', 'e', 'v'
    };
    try {
      socket.getOutputStream().write(connect);
      socket.getOutputStream().flush();
      int first = socket.getInputStream().read();
      return first == 0x20;
    } catch (SSLException | SocketException e) {
      return false;
    }
  }

  private SSLContext rogueClientContext(TestPki.Issued rogue) throws Exception {
    java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "me", rogue.keys().getPrivate(), "pw".toCharArray(), new X509Certificate[] {rogue.cert()});
    javax.net.ssl.KeyManagerFactory kmf =
        javax.net.ssl.KeyManagerFactory.getInstance(
            javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "pw".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(
        kmf.getKeyManagers(),
        TestPki.trusting(ca).getTrustManagers(),
        new java.security.SecureRandom());
    return ctx;
  }

  @Test
  void offersOnlyTls12And13WithAeadSuites() throws Exception {
    int port = listen(TlsOptions.of(serverPem.cert().toString(), serverPem.key().toString()));
    SSLContext ctx = TestPki.anonymousClientContext(ca);

    assertThat(handshake(port, ctx, "TLSv1.3", null)).isNotNull();
    assertThat(handshake(port, ctx, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"))
        .isNotNull();
    assertThatThrownBy(
            () -> handshake(port, ctx, "TLSv1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void renewedCertificateIsServedWithoutRestartAndABrokenOneIsNot() throws Exception {
    TlsOptions tls = TlsOptions.of(serverPem.cert().toString(), serverPem.key().toString());
    int port = listen(tls);
    SSLContext ctx = TestPki.anonymousClientContext(ca);
    BigInteger before = handshake(port, ctx, null, null).getSerialNumber();

    TestPki.Issued renewed = TestPki.server(ca, "gateway");
    renewed.write(dir, "server");
    security.checkFilesNow();
    BigInteger after = handshake(port, ctx, null, null).getSerialNumber();

    assertThat(after).isNotEqualTo(before).isEqualTo(renewed.cert().getSerialNumber());

    // half a renewal: a new certificate whose key is not on disk yet must not replace the working
    // one
    Files.writeString(serverPem.cert(), TestPki.pem(TestPki.server(ca, "gateway").cert()));
    security.checkFilesNow();
    assertThat(handshake(port, ctx, null, null).getSerialNumber()).isEqualTo(after);
    assertThat(registry.find(SecurityMetrics.RELOADS).tag("result", "failed").counter().count())
        .isEqualTo(1);
  }

  @Test
  void refusesAKeyThatDoesNotBelongToTheCertificate() throws Exception {
    TestPki.Pem other = TestPki.server(ca, "other").write(dir, "other");

    assertThatThrownBy(
            () ->
                TlsMaterial.load(
                    TlsOptions.of(serverPem.cert().toString(), other.key().toString())))
        .hasMessageContaining("is not the private key");
  }
}
