package io.outpost.sim.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the TLS socket factory for {@link ConnectionSettings}: a CA file, insecure, or JDK
 * default.
 */
final class TlsSocketFactories {

  private TlsSocketFactories() {}

  /** The factory to use, or null when the JDK's default trust store applies. */
  static SSLSocketFactory forSettings(ConnectionSettings s) {
    if (!s.tls() || (s.caFile() == null && !s.tlsInsecure())) {
      return null;
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManager[] trust =
          s.tlsInsecure() ? new TrustManager[] {new TrustEverything()} : trustManagers(s.caFile());
      context.init(null, trust, null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(
          "cannot set up TLS with CA file " + s.caFile() + ": " + e.getMessage(), e);
    }
  }

  private static TrustManager[] trustManagers(Path caFile)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in " + caFile);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return tmf.getTrustManagers();
  }

  /** For --tls-insecure only: accepts any server certificate. */
  private static final class TrustEverything implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      // insecure mode by explicit request: no client certificate checks
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      // insecure mode by explicit request: any server certificate is accepted
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
