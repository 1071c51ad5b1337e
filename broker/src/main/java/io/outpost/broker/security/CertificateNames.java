package io.outpost.broker.security;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The names a verified client certificate gives its holder: subject CN, then DNS, email, URI and IP
 * SANs.
 */
final class CertificateNames {

  private static final int SAN_EMAIL = 1;
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;
  private static final int SAN_IP = 7;

  private CertificateNames() {}

  /** The identity of a client with {@code chain} (leaf first; empty for no certificate). */
  static ClientIdentity identity(String clientId, List<X509Certificate> chain) {
    if (chain.isEmpty()) {
      return ClientIdentity.anonymous(clientId);
    }
    X509Certificate leaf = chain.get(0);
    List<String> names = new ArrayList<>();
    String cn = commonName(leaf.getSubjectX500Principal());
    if (cn != null) {
      names.add(cn);
    }
    names.addAll(subjectAltNames(leaf));
    String primary = cn != null ? cn : names.isEmpty() ? null : names.get(0);
    return new ClientIdentity(clientId, null, primary, names);
  }

  static String commonName(X500Principal subject) {
    try {
      List<Rdn> rdns = new LdapName(subject.getName(X500Principal.RFC2253)).getRdns();
      for (int i = rdns.size() - 1;
          i >= 0;
          i--) { // RFC 2253 lists the most specific RDN first; LdapName reverses
        if (rdns.get(i).getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdns.get(i).getValue());
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static List<String> subjectAltNames(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans == null) {
        return names;
      }
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        if ((type == SAN_EMAIL || type == SAN_DNS || type == SAN_URI || type == SAN_IP)
            && san.get(1) instanceof String s) {
          names.add(s);
        }
      }
    } catch (CertificateParsingException e) {
      // a malformed SAN extension gives no names; the CN still identifies the client
      return names;
    }
    return names;
  }
}
