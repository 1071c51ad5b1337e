package io.outpost.broker.security;

import io.outpost.durable.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The device password file: one {@code user:$pbkdf2-sha256$...} line per user, {@code #} comments
 * and blank lines ignored. Immutable; {@link #with} and {@link #without} return changed copies and
 * {@link #save} replaces the file atomically with mode 0600.
 */
public final class PasswordFile {

  /** Longest user name accepted. */
  public static final int MAX_USERNAME_LENGTH = 256;

  private final Map<String, String> hashes;

  private PasswordFile(Map<String, String> hashes) {
    this.hashes = Collections.unmodifiableMap(hashes);
  }

  /** No users. */
  public static PasswordFile empty() {
    return new PasswordFile(new TreeMap<>());
  }

  /**
   * Reads {@code file}; a malformed line is an {@link IllegalArgumentException} naming the line.
   */
  public static PasswordFile load(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, String> hashes = new TreeMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      String where = file + " line " + (i + 1);
      if (colon <= 0) {
        throw new IllegalArgumentException(where + ": expected user:hash");
      }
      String user = line.substring(0, colon);
      String why = invalidUsername(user);
      String hash = line.substring(colon + 1);
      if (why == null) {
        why = PasswordHasher.invalid(hash);
      }
      if (why != null) {
        throw new IllegalArgumentException(where + ": " + why);
      }
      if (hashes.put(user, hash) != null) {
        throw new IllegalArgumentException(where + ": duplicate user '" + user + "'");
      }
    }
    return new PasswordFile(hashes);
  }

  /** Reads {@code file}, or an empty password file when it does not exist yet. */
  public static PasswordFile loadOrEmpty(Path file) throws IOException {
    return Files.exists(file) ? load(file) : empty();
  }

  /** A copy where {@code user} has password {@code password} (hashed here: slow). */
  public PasswordFile with(String user, byte[] password) {
    String why = invalidUsername(user);
    if (why != null) {
      throw new IllegalArgumentException(why);
    }
    if (password.length == 0) {
      throw new IllegalArgumentException("the password must not be empty");
    }
    Map<String, String> copy = new TreeMap<>(hashes);
    copy.put(user, PasswordHasher.hash(password));
    return new PasswordFile(copy);
  }

  /** A copy without {@code user}. */
  public PasswordFile without(String user) {
    Map<String, String> copy = new TreeMap<>(hashes);
    copy.remove(user);
    return new PasswordFile(copy);
  }

  /**
   * Whether {@code user} exists and {@code password} is theirs; takes the same time either way.
   * Slow.
   */
  public boolean verify(String user, byte[] password) {
    String hash = user == null ? null : hashes.get(user);
    if (hash == null) {
      PasswordHasher.decoy(password);
      return false;
    }
    return PasswordHasher.verify(password, hash);
  }

  public boolean contains(String user) {
    return hashes.containsKey(user);
  }

  public Set<String> users() {
    return hashes.keySet();
  }

  /**
   * Replaces {@code file} atomically and durably (mode 0600): a power cut leaves the old or the new
   * password file, never an empty or half-written one.
   */
  public void save(Path file) throws IOException {
    Path target = file.toAbsolutePath();
    Files.createDirectories(target.getParent());
    StringBuilder text =
        new StringBuilder("# Outpost device passwords; manage with `outpost passwd`\n");
    hashes.forEach((user, hash) -> text.append(user).append(':').append(hash).append('\n'));
    DurableFiles.writeAtomically(
        target, text.toString().getBytes(StandardCharsets.UTF_8), DurableFiles.OWNER_ONLY);
  }

  /** Why {@code user} cannot be a user name, or {@code null}. */
  static String invalidUsername(String user) {
    if (user == null || user.isEmpty()) {
      return "the user name must not be empty";
    }
    if (user.length() > MAX_USERNAME_LENGTH) {
      return "the user name is longer than " + MAX_USERNAME_LENGTH + " characters";
    }
    for (int i = 0; i < user.length(); i++) {
      char c = user.charAt(i);
      if (c == ':'
          || Character.isWhitespace(c)
          || Character.isISOControl(c)
          || c == '#' && i == 0) {
        return "the user name must not contain ':', whitespace or control characters, nor start with '#'";
      }
    }
    return null;
  }
}
