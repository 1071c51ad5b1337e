package io.outpost.broker.security;

import io.outpost.tls.PemFiles;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;

/**
 * TLS policy and PEM loading for broker listeners: TLS 1.2/1.3 only, AEAD cipher suites with
 * forward secrecy only, and key material read from disk and checked (the key must belong to the
 * certificate, the CA file must hold a certificate) before it is used. Reads files: call it off the
 * event loop.
 */
public final class TlsSupport {

  /** The only protocol versions offered. */
  public static final Set<String> PROTOCOLS =
      Collections.unmodifiableSet(new LinkedHashSet<>(List.of("TLSv1.3", "TLSv1.2")));

  /** TLS 1.3 suites, then the TLS 1.2 ECDHE AEAD suites of Mozilla's "intermediate" profile. */
  public static final List<String> CIPHER_SUITES =
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

  private TlsSupport() {}

  /** Copies {@code ssl} onto a server's options and turns TLS on. */
  public static <T extends NetServerOptions> T apply(ServerSSLOptions ssl, T server) {
    server.setSsl(true);
    server.setKeyCertOptions(ssl.getKeyCertOptions());
    if (ssl.getTrustOptions() != null) {
      server.setTrustOptions(ssl.getTrustOptions());
    }
    server.setClientAuth(ssl.getClientAuth());
    server.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
    ssl.getEnabledCipherSuites().forEach(server::addEnabledCipherSuite);
    return server;
  }

  /** Server TLS settings around the given (swappable) managers. */
  static ServerSSLOptions sslOptions(TlsOptions tls, X509KeyManager keys, TrustManager trust) {
    ServerSSLOptions ssl =
        new ServerSSLOptions()
            .setKeyCertOptions(io.vertx.core.net.KeyCertOptions.wrap(keys))
            .setClientAuth(tls.clientAuth().vertx())
            .setEnabledSecureTransportProtocols(PROTOCOLS);
    if (trust != null) {
      ssl.setTrustOptions(io.vertx.core.net.TrustOptions.wrap(trust));
    }
    CIPHER_SUITES.forEach(ssl::addEnabledCipherSuite);
    return ssl;
  }

  /**
   * Reads the certificate chain and key of {@code tls} with the one PEM reader ({@link PemFiles}:
   * PKCS#8, PKCS#1 and SEC1 keys, as for the cloud link) and checks that they belong together.
   */
  static X509KeyManager readKeys(TlsOptions tls) throws IOException, GeneralSecurityException {
    Path certFile = Path.of(tls.certFile());
    Path keyFile = Path.of(tls.keyFile());
    List<X509Certificate> chain = PemFiles.certificates(certFile);
    PrivateKey key = PemFiles.privateKey(keyFile);
    PemFiles.checkPair(key, chain.get(0), keyFile, certFile);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] none = new char[0];
    store.setKeyEntry("server", key, none, chain.toArray(X509Certificate[]::new));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, none);
    for (KeyManager km : factory.getKeyManagers()) {
      if (km instanceof X509KeyManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException(
        tls.certFile() + " / " + tls.keyFile() + ": no certificate and key pair");
  }

  /** Reads the CA certificates of {@code tls}; {@code null} when it has no {@code caFile}. */
  static X509ExtendedTrustManager readTrust(TlsOptions tls)
      throws IOException, GeneralSecurityException {
    if (tls.caFile() == null) {
      return null;
    }
    List<X509Certificate> cas = PemFiles.certificates(Path.of(tls.caFile()));
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (int i = 0; i < cas.size(); i++) {
      store.setCertificateEntry("ca-" + i, cas.get(i));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException(tls.caFile() + ": no X.509 trust manager");
  }
}
