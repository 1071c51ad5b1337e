package io.outpost.gateway.admin.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signed-in console sessions: a random id (the cookie) mapped to the session's CSRF token and when
 * it was last used. Bounded: past {@code max} sessions the least recently used one ends; an idle
 * session ends after {@code idle}. Thread-safe (one lock; every operation is a map access).
 */
final class ConsoleSessions {

  private static final int TOKEN_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  /** One session: its CSRF token, and when it was last used. */
  record Session(String id, String csrf, Instant lastUsed) {}

  private final int max;
  private final Duration idle;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  private long evicted;

  /** In access order: the first entry is the least recently used. */
  private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

  ConsoleSessions(int max, Duration idle, Clock clock) {
    this.max = max;
    this.idle = idle;
    this.clock = clock;
  }

  /** Starts a session (after the admin token was presented). */
  synchronized Session create() {
    expire();
    while (sessions.size() >= max) {
      Iterator<String> oldest = sessions.keySet().iterator();
      oldest.next();
      oldest.remove();
      evicted++;
    }
    Session s = new Session(token(), token(), clock.instant());
    sessions.put(s.id(), s);
    return s;
  }

  /** The live session with this id, touched; null when unknown or idle too long. */
  synchronized Session find(String id) {
    if (id == null) {
      return null;
    }
    expire();
    Session s = sessions.get(id);
    if (s == null) {
      return null;
    }
    Session touched = new Session(s.id(), s.csrf(), clock.instant());
    sessions.put(id, touched);
    return touched;
  }

  /** Whether the session is still live, without touching it (a stream checking on its session). */
  synchronized boolean live(String id) {
    expire();
    return sessions.containsKey(id);
  }

  synchronized void end(String id) {
    sessions.remove(id);
  }

  /** Sessions ended because a login found {@code max} sessions live. */
  synchronized long evicted() {
    return evicted;
  }

  synchronized int size() {
    return sessions.size();
  }

  /** Constant-time comparison of a presented CSRF token with the session's. */
  static boolean csrfMatches(Session session, String presented) {
    return presented != null
        && MessageDigest.isEqual(
            session.csrf().getBytes(StandardCharsets.US_ASCII),
            presented.getBytes(StandardCharsets.US_ASCII));
  }

  private void expire() {
    Instant cutoff = clock.instant().minus(idle);
    for (Iterator<Map.Entry<String, Session>> it = sessions.entrySet().iterator(); it.hasNext(); ) {
      if (it.next().getValue().lastUsed().isBefore(cutoff)) {
        it.remove();
      }
    }
  }

  private String token() {
    byte[] b = new byte[TOKEN_BYTES];
    random.nextBytes(b);
    return HEX.formatHex(b);
  }
}
