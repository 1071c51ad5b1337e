package io.outpost.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds the TLS socket factory for {@code ssl://} cloud URLs from PEM files (device certificate, private key, CA), the
 * way AWS IoT Core hands them out, with optional ALPN (e.g. {@code x-amzn-mqtt-ca} for MQTT on port 443).
 */
final class PemTls {
  private static final char[] NO_PASSWORD = new char[0];
  /** DER prefix turning a PKCS#1 RSA key into PKCS#8 (version 0, rsaEncryption, NULL params). */
  private static final byte[] RSA_ALGORITHM_ID = {0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48,
      (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

  private PemTls() {}

  static SSLSocketFactory socketFactory(TlsOptions tls) throws GeneralSecurityException, IOException {
    KeyManagerFactory keys = null;
    if (tls.certFile() != null) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      List<Certificate> chain = certificates(Path.of(tls.certFile()));
      store.setKeyEntry("device", privateKey(Path.of(tls.keyFile())), NO_PASSWORD, chain.toArray(Certificate[]::new));
      keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, NO_PASSWORD);
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
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
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certificates = factory.generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new GeneralSecurityException("no certificate in " + pem);
      }
      return new ArrayList<>(certificates);
    }
  }

  static PrivateKey privateKey(Path pem) throws GeneralSecurityException, IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    if (text.contains("BEGIN PRIVATE KEY")) {
      byte[] der = decode(text, "PRIVATE KEY");
      GeneralSecurityException last = null;
      for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
        try {
          return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
          last = e;
        }
      }
      throw new GeneralSecurityException("unsupported PKCS#8 key in " + pem, last);
    }
    if (text.contains("BEGIN RSA PRIVATE KEY")) {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1ToPkcs8(
          decode(text, "RSA PRIVATE KEY"))));
    }
    throw new GeneralSecurityException(pem + ": expected an unencrypted 'PRIVATE KEY' or 'RSA PRIVATE KEY' PEM"
        + " (convert others with: openssl pkcs8 -topk8 -nocrypt)");
  }

  private static byte[] decode(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin) + begin.length();
    int to = text.indexOf(end, from);
    return Base64.getMimeDecoder().decode(text.substring(from, to));
  }

  /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo. */
  static byte[] pkcs1ToPkcs8(byte[] pkcs1) {
    byte[] octetHeader = derHeader(0x04, pkcs1.length);
    int bodyLength = RSA_ALGORITHM_ID.length + octetHeader.length + pkcs1.length;
    byte[] sequenceHeader = derHeader(0x30, bodyLength);
    byte[] out = new byte[sequenceHeader.length + bodyLength];
    int at = 0;
    for (byte[] part : List.of(sequenceHeader, RSA_ALGORITHM_ID, octetHeader, pkcs1)) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }

  private static byte[] derHeader(int tag, int length) {
    if (length < 0x80) {
      return new byte[] {(byte) tag, (byte) length};
    }
    if (length <= 0xFF) {
      return new byte[] {(byte) tag, (byte) 0x81, (byte) length};
    }
    if (length <= 0xFFFF) {
      return new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
    }
    return new byte[] {(byte) tag, (byte) 0x83, (byte) (length >> 16), (byte) (length >> 8), (byte) length};
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
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
      return alpn(delegate.createSocket(s, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return alpn(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return alpn(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return alpn(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return alpn(delegate.createSocket(address, port, localAddress, localPort));
    }
  }
}
