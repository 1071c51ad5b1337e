package io.outpost.broker.security;

import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * TLS settings of one broker listener ({@code broker.listeners[i].tls}). Certificates and keys are
 * PEM files; they are re-read without a restart when they change on disk (see {@code
 * security.fileCheckSeconds}). Only TLS 1.2 and 1.3 with AEAD cipher suites are offered ({@link
 * TlsSupport#PROTOCOLS}, {@link TlsSupport#CIPHER_SUITES}).
 *
 * <p>Copies with one key changed are the {@code with<Key>} methods RecordBuilder generates into
 * {@code TlsOptionsBuilder.With}; every copy runs the constructor again, so it gets the same
 * defaults and checks.
 *
 * @param certFile PEM file with the server certificate followed by its intermediates; required
 * @param keyFile PEM file with the server's private key (PKCS#8, PKCS#1 RSA or SEC1 EC); required.
 *     A warning is logged at start when it is readable by group or others
 * @param caFile PEM file with the CA certificate(s) client certificates must chain to; required for
 *     {@code clientAuth: request|require}
 * @param clientAuth {@code none}, {@code request} or {@code require}; default {@code require} when
 *     {@code caFile} is set, else {@code none}. A verified client certificate's CN (or first SAN)
 *     becomes the client's identity
 */
@RecordBuilder
@RecordBuilder.Options(
    addClassRetainedGenerated = true,
    addStaticBuilder = false,
    enableGetters = false)
public record TlsOptions(String certFile, String keyFile, String caFile, ClientAuthMode clientAuth)
    implements TlsOptionsBuilder.With {

  /** Applies defaults and validates. */
  public TlsOptions {
    if (certFile == null || certFile.isBlank()) {
      throw new IllegalArgumentException("certFile: is required (PEM certificate chain)");
    }
    if (keyFile == null || keyFile.isBlank()) {
      throw new IllegalArgumentException("keyFile: is required (PEM private key)");
    }
    if (caFile != null && caFile.isBlank()) {
      caFile = null;
    }
    if (clientAuth == null) {
      clientAuth = caFile == null ? ClientAuthMode.NONE : ClientAuthMode.REQUIRE;
    }
    if (clientAuth != ClientAuthMode.NONE && caFile == null) {
      throw new IllegalArgumentException(
          "caFile: is required with clientAuth: " + clientAuth.key());
    }
  }

  /** Server-authenticated TLS without client certificates. */
  public static TlsOptions of(String certFile, String keyFile) {
    return new TlsOptions(certFile, keyFile, null, null);
  }

  /** Mutual TLS: clients must present a certificate issued by {@code caFile}. */
  public static TlsOptions mutual(String certFile, String keyFile, String caFile) {
    return new TlsOptions(certFile, keyFile, caFile, ClientAuthMode.REQUIRE);
  }
}
