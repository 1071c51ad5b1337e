package io.outpost.broker.security;

import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * What a client presented at CONNECT, as the broker hands it to {@link
 * SecurityService#authenticate}. Never logged: {@link #toString()} leaves the password out.
 *
 * @param clientId the client identifier (assigned one included)
 * @param username the user name field, or {@code null}
 * @param password the password field, or {@code null}
 * @param peerCertificates the client certificate chain the TLS handshake verified; empty without
 *     one
 * @param willTopic the will topic, or {@code null} without a will (its publish permission is
 *     checked at CONNECT)
 */
public record ConnectCredentials(
    String clientId,
    String username,
    byte[] password,
    List<X509Certificate> peerCertificates,
    String willTopic) {

  public ConnectCredentials {
    peerCertificates = peerCertificates == null ? List.of() : List.copyOf(peerCertificates);
  }

  /**
   * The verified client chain of a TLS session; empty for plain TCP or when the client sent no
   * certificate.
   */
  public static List<X509Certificate> peerCertificates(SSLSession session) {
    if (session == null) {
      return List.of();
    }
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          chain.add(x);
        }
      }
      return chain;
    } catch (SSLPeerUnverifiedException e) {
      return List.of(); // no client certificate: a normal case with clientAuth none/request
    }
  }

  @Override
  public String toString() {
    return "ConnectCredentials[clientId="
        + clientId
        + ", username="
        + username
        + ", password="
        + (password == null ? "none" : "<redacted>")
        + ", certificates="
        + peerCertificates.size()
        + ", willTopic="
        + willTopic
        + "]";
  }
}
