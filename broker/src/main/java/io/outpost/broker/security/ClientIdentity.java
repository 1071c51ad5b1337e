package io.outpost.broker.security;

import java.util.List;

/**
 * Who a connected client is, as far as the gateway verified it. Only verified facts are kept: a
 * user name only when its password matched the password file, certificate names only from a chain
 * the TLS handshake verified. The client id is whatever the client sent (or was assigned) and
 * proves nothing on its own.
 *
 * @param clientId the MQTT client identifier
 * @param username the password-verified user name, or {@code null}
 * @param certCommonName the verified client certificate's subject CN (or its first SAN when the
 *     subject has no CN), or {@code null}
 * @param certNames every name of the verified client certificate: CN and DNS/email/URI SANs; empty
 *     without one
 */
public record ClientIdentity(
    String clientId, String username, String certCommonName, List<String> certNames) {

  public ClientIdentity {
    certNames = certNames == null ? List.of() : List.copyOf(certNames);
  }

  /** A client that proved nothing. */
  public static ClientIdentity anonymous(String clientId) {
    return new ClientIdentity(clientId, null, null, List.of());
  }

  /** True when neither a password nor a client certificate was verified. */
  public boolean anonymous() {
    return username == null && certCommonName == null && certNames.isEmpty();
  }

  /** A copy carrying a verified user name. */
  public ClientIdentity withUsername(String verified) {
    return new ClientIdentity(clientId, verified, certCommonName, certNames);
  }
}
