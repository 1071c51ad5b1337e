package io.outpost.broker.security;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warnings worth an operator's attention at start: a listener reachable from the network without
 * TLS or with anonymous access, key and password files readable by group or others, a policy that
 * lets nobody connect. They are warnings, not errors: each can be a deliberate decision, but never
 * a silent one.
 */
public final class StartupChecks {

  private static final Logger LOG = LoggerFactory.getLogger(StartupChecks.class);

  private StartupChecks() {}

  /** Computes and logs the warnings; returns them for the startup summary and tests. */
  public static List<String> run(SecurityOptions security, List<ListenerView> listeners) {
    List<String> warnings = warnings(security, listeners);
    warnings.forEach(w -> LOG.warn("security: {}", w));
    return warnings;
  }

  /** The warnings, without logging. Resolves listener host names (blocking). */
  public static List<String> warnings(SecurityOptions security, List<ListenerView> listeners) {
    Set<String> warnings = new LinkedHashSet<>();
    for (ListenerView l : listeners) {
      if (l.tls() != null) {
        checkPrivate(Path.of(l.tls().keyFile()), "TLS private key", warnings);
      }
      if (isLoopback(l.host())) {
        continue;
      }
      String where = "listener " + l.host() + ":" + l.port() + " is reachable from the network";
      if (l.tls() == null) {
        warnings.add(
            where + " without TLS: passwords and messages cross the network in clear text");
      }
      boolean certificateRequired =
          l.tls() != null && l.tls().clientAuth() == ClientAuthMode.REQUIRE;
      if (security.allowAnonymous() && !certificateRequired) {
        warnings.add(
            where
                + " and accepts anonymous clients (set security.passwordFile, security.rules or "
                + "clientAuth: require, or allowAnonymous: false)");
      }
    }
    if (security.passwordFile() != null) {
      checkPrivate(Path.of(security.passwordFile()), "password file", warnings);
    }
    if (security.hasPolicy()
        && security.rules().stream()
            .noneMatch(
                r ->
                    r.effect() == PolicyEffect.ALLOW
                        && r.actions().contains(PolicyAction.CONNECT))) {
      warnings.add("security.rules has no 'allow connect' rule: every client will be refused");
    }
    return List.copyOf(warnings);
  }

  /**
   * True for loopback addresses and names resolving only to loopback; wildcards and unresolvable
   * names are not.
   */
  public static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      for (InetAddress a : all) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static void checkPrivate(Path file, String what, Set<String> warnings) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (NoSuchFileException e) {
      return; // loading the file reports it missing
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: nothing to check
    } catch (IOException e) {
      warnings.add(what + " " + file + ": cannot read its permissions (" + e.getMessage() + ")");
      return;
    }
    if (perms.contains(PosixFilePermission.GROUP_READ)
        || perms.contains(PosixFilePermission.OTHERS_READ)) {
      warnings.add(
          what
              + " "
              + file
              + " is readable by "
              + (perms.contains(PosixFilePermission.OTHERS_READ) ? "everyone" : "its group")
              + "; run: chmod 600 "
              + file);
    }
  }
}
