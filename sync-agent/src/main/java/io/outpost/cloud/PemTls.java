package io.outpost.cloud;

import io.outpost.tls.PemFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS socket factory for {@code ssl://} cloud URLs from PEM files (device certificate,
 * private key, CA), the way AWS IoT Core hands them out, with optional ALPN (e.g. {@code
 * x-amzn-mqtt-ca} for MQTT on port 443).
 */
final class PemTls {
  private static final char[] NO_PASSWORD = new char[0];

  private PemTls() {}

  static SSLSocketFactory socketFactory(TlsOptions tls)
      throws GeneralSecurityException, IOException {
    KeyManagerFactory keys = null;
    if (tls.certFile() != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      List<Certificate> chain = certificates(Path.of(tls.certFile()));
      PrivateKey key = PemFiles.privateKey(Path.of(tls.keyFile()));
      PemFiles.checkPair(
          key, (X509Certificate) chain.get(0), Path.of(tls.keyFile()), Path.of(tls.certFile()));
      store.setKeyEntry("device", key, NO_PASSWORD, chain.toArray(Certificate[]::new));
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, NO_PASSWORD);
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    if (tls.caFile() != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (Certificate ca : certificates(Path.of(tls.caFile()))) {
        store.setCertificateEntry("ca-" + i++, ca);
      }
      trust.init(store);
    } else {
      trust.init((KeyStore) null);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys == null ? null : keys.getKeyManagers(), trust.getTrustManagers(), null);
    return new TunedSslSocketFactory(context.getSocketFactory(), tls.alpn());
  }

  static List<Certificate> certificates(Path pem) throws GeneralSecurityException, IOException {
    return new ArrayList<>(PemFiles.certificates(pem));
  }

  static PrivateKey privateKey(Path pem) throws GeneralSecurityException, IOException {
    return PemFiles.privateKey(pem);
  }

  /** Sets TCP_NODELAY and, if configured, the ALPN protocol on every socket it creates. */
  static final class TunedSslSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory delegate;
    private final String protocol;

    TunedSslSocketFactory(SSLSocketFactory delegate, String protocol) {
      this.delegate = delegate;
      this.protocol = protocol;
    }

    private Socket alpn(Socket socket) throws IOException {
      socket.setTcpNoDelay(true);
      if (protocol != null && socket instanceof SSLSocket ssl) {
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {protocol});
        ssl.setSSLParameters(parameters);
      }
      return socket;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return delegate.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return alpn(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose)
        throws IOException {
      return alpn(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return alpn(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return alpn(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return alpn(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return alpn(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
