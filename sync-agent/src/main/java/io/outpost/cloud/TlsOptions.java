package io.outpost.cloud;

/**
 * Mutual TLS from PEM files, AWS IoT Core style ({@code cloud.tls}); used when the URL is {@code
 * ssl://}.
 *
 * @param certFile device certificate chain (PEM). Required with {@code keyFile}; both absent =
 *     server-auth only.
 * @param keyFile device private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN
 *     RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}), unencrypted.
 * @param caFile trusted CA certificates (PEM); absent = the JVM's default trust store.
 * @param alpn ALPN protocol to offer, e.g. {@code x-amzn-mqtt-ca} for MQTT over port 443 on AWS IoT
 *     Core; absent = none.
 */
public record TlsOptions(String certFile, String keyFile, String caFile, String alpn) {
  public TlsOptions {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("tls: certFile and keyFile must be given together");
    }
    if (alpn != null && alpn.isBlank()) {
      throw new IllegalArgumentException("tls.alpn: must not be blank");
    }
  }

  /**
   * Loads the files as the cloud link will: certificate chain, private key (PKCS#8, PKCS#1 or SEC1)
   * and whether they belong together, CA certificates. Lets {@code validate} find what would stop
   * the link at start.
   *
   * @throws java.io.IOException a file is missing or unreadable
   * @throws java.security.GeneralSecurityException a file is not usable; the message names it and
   *     says why
   */
  public void check() throws java.io.IOException, java.security.GeneralSecurityException {
    PemTls.socketFactory(this);
  }

  /** No client certificate, default trust, no ALPN. */
  public static TlsOptions defaults() {
    return new TlsOptions(null, null, null, null);
  }
}
