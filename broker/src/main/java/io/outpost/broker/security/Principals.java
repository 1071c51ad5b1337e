package io.outpost.broker.security;

import java.util.List;
import java.util.Map;

/**
 * The {@code who} expressions of policy rules and group members: syntax check and matching against
 * an identity.
 */
final class Principals {

  static final String EVERYONE = "*";
  static final String ANONYMOUS = "anonymous";
  static final String AUTHENTICATED = "authenticated";
  static final String USER = "user:";
  static final String CERT = "cert:";
  static final String CLIENT = "client:";
  static final String GROUP = "group:";

  private Principals() {}

  /** Rejects anything but the documented forms, with the offending value in the message. */
  static void validate(String principal) {
    if (principal == null) {
      throw new IllegalArgumentException("who: must not contain empty entries");
    }
    if (principal.equals(EVERYONE)
        || principal.equals(ANONYMOUS)
        || principal.equals(AUTHENTICATED)) {
      return;
    }
    for (String prefix : List.of(USER, CERT, CLIENT, GROUP)) {
      if (principal.startsWith(prefix)) {
        if (principal.length() == prefix.length()) {
          throw new IllegalArgumentException("who: '" + principal + "' names nobody");
        }
        return;
      }
    }
    throw new IllegalArgumentException(
        "who: '"
            + principal
            + "' is not one of *, anonymous, authenticated, user:NAME, cert:NAME, client:ID, group:NAME");
  }

  /**
   * Whether {@code principal} denotes {@code id}; groups are looked up in {@code groups} (one
   * level, no nesting).
   */
  static boolean matches(String principal, ClientIdentity id, Map<String, List<String>> groups) {
    if (principal.startsWith(GROUP)) {
      List<String> members = groups.getOrDefault(principal.substring(GROUP.length()), List.of());
      for (String member : members) {
        if (matchesDirect(member, id)) {
          return true;
        }
      }
      return false;
    }
    return matchesDirect(principal, id);
  }

  private static boolean matchesDirect(String principal, ClientIdentity id) {
    if (principal.equals(EVERYONE)) {
      return true;
    }
    if (principal.equals(ANONYMOUS)) {
      return id.anonymous();
    }
    if (principal.equals(AUTHENTICATED)) {
      return !id.anonymous();
    }
    if (principal.startsWith(USER)) {
      return id.username() != null && id.username().equals(principal.substring(USER.length()));
    }
    if (principal.startsWith(CERT)) {
      return id.certNames().contains(principal.substring(CERT.length()));
    }
    if (principal.startsWith(CLIENT)) {
      return id.clientId() != null && id.clientId().equals(principal.substring(CLIENT.length()));
    }
    return false;
  }
}
