package io.outpost.broker.security;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509KeyManager;

/**
 * TLS policy and PEM loading for broker listeners: TLS 1.2/1.3 only, AEAD cipher suites with forward secrecy only, and
 * key material read from disk and checked (the key must belong to the certificate, the CA file must hold a
 * certificate) before it is used. Reads files: call it off the event loop.
 */
public final class TlsSupport {

  /** The only protocol versions offered. */
  public static final Set<String> PROTOCOLS = Collections.unmodifiableSet(new LinkedHashSet<>(
      List.of("TLSv1.3", "TLSv1.2")));

  /** TLS 1.3 suites, then the TLS 1.2 ECDHE AEAD suites of Mozilla's "intermediate" profile. */
  public static final List<String> CIPHER_SUITES = List.of(
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
    ServerSSLOptions ssl = new ServerSSLOptions()
        .setKeyCertOptions(io.vertx.core.net.KeyCertOptions.wrap(keys))
        .setClientAuth(tls.clientAuth().vertx())
        .setEnabledSecureTransportProtocols(PROTOCOLS);
    if (trust != null) {
      ssl.setTrustOptions(io.vertx.core.net.TrustOptions.wrap(trust));
    }
    CIPHER_SUITES.forEach(ssl::addEnabledCipherSuite);
    return ssl;
  }

  /** Reads the certificate chain and key of {@code tls} and checks that they belong together. */
  static X509KeyManager readKeys(TlsOptions tls) throws IOException, GeneralSecurityException {
    String what = tls.certFile() + " / " + tls.keyFile();
    PemKeyCertOptions pem = new PemKeyCertOptions()
        .setCertValue(Buffer.buffer(Files.readAllBytes(Path.of(tls.certFile()))))
        .setKeyValue(Buffer.buffer(Files.readAllBytes(Path.of(tls.keyFile()))));
    KeyManager[] managers;
    try {
      managers = pem.getKeyManagerFactory(null).getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException(what + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new GeneralSecurityException(what + ": not a PEM certificate and private key: " + e.getMessage(), e);
    }
    for (KeyManager km : managers) {
      if (km instanceof X509KeyManager x) {
        checkPair(x, tls);
        return x;
      }
    }
    throw new GeneralSecurityException(what + ": no certificate and key pair");
  }

  /** Reads the CA certificates of {@code tls}; {@code null} when it has no {@code caFile}. */
  static X509ExtendedTrustManager readTrust(TlsOptions tls) throws IOException, GeneralSecurityException {
    if (tls.caFile() == null) {
      return null;
    }
    List<X509Certificate> cas = new java.util.ArrayList<>();
    try (var in = Files.newInputStream(Path.of(tls.caFile()))) {
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        cas.add((X509Certificate) c);
      }
    } catch (CertificateException e) {
      throw new GeneralSecurityException(tls.caFile() + ": not a PEM CA certificate file: " + e.getMessage(), e);
    }
    if (cas.isEmpty()) {
      throw new GeneralSecurityException(tls.caFile() + ": no CA certificate found");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    for (int i = 0; i < cas.size(); i++) {
      store.setCertificateEntry("ca-" + i, cas.get(i));
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (TrustManager tm : factory.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException(tls.caFile() + ": no X.509 trust manager");
  }

  private static void checkPair(X509KeyManager km, TlsOptions tls) throws GeneralSecurityException {
    String alias = null;
    for (String type : List.of("EC", "RSA", "EdDSA", "Ed25519", "RSASSA-PSS")) {
      String[] aliases = km.getServerAliases(type, null);
      if (aliases != null && aliases.length > 0) {
        alias = aliases[0];
        break;
      }
    }
    PrivateKey key = alias == null ? null : km.getPrivateKey(alias);
    X509Certificate[] chain = alias == null ? null : km.getCertificateChain(alias);
    if (key == null || chain == null || chain.length == 0) {
      throw new GeneralSecurityException(tls.certFile() + " / " + tls.keyFile() + ": no certificate and key pair");
    }
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "Ed25519", "EdDSA" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return; // an unusual key type: the TLS handshake is the check
    }
    byte[] probe = "outpost key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(chain[0].getPublicKey());
    verifier.update(probe);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException(tls.keyFile() + " is not the private key of the certificate in "
          + tls.certFile());
    }
  }
}
