package io.outpost.broker.security;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, deliberately slow password hashes: PBKDF2-HMAC-SHA256 from the JDK with {@value
 * #ITERATIONS} iterations (the OWASP 2023 recommendation) and a random 16-byte salt, encoded as
 * {@code $pbkdf2-sha256$ITERATIONS$SALT$HASH} (unpadded base64). Verification compares in constant
 * time. Each hash costs tens of milliseconds of CPU: never call it on an event loop.
 */
public final class PasswordHasher {

  /** Iterations of new hashes, and the least accepted when reading a password file. */
  public static final int ITERATIONS = 210_000;

  static final String SCHEME = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  /**
   * A hash of nothing in particular, verified against when a user is unknown so timing does not
   * reveal users.
   */
  private static final String DECOY = hash(new byte[] {0});

  private PasswordHasher() {}

  /** A new encoded hash of {@code password} (MQTT passwords are bytes; typed ones are UTF-8). */
  public static String hash(byte[] password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] derived = derive(password, salt, ITERATIONS, HASH_BITS);
    return "$"
        + SCHEME
        + "$"
        + ITERATIONS
        + "$"
        + B64.encodeToString(salt)
        + "$"
        + B64.encodeToString(derived);
  }

  /** Whether {@code password} matches {@code encoded}; false for anything malformed. */
  public static boolean verify(byte[] password, String encoded) {
    Parsed p = parse(encoded);
    if (p == null) {
      return false;
    }
    byte[] derived = derive(password, p.salt, p.iterations, p.hash.length * 8);
    return MessageDigest.isEqual(derived, p.hash);
  }

  /** Spends the same work as a real verification, for unknown users. */
  static void decoy(byte[] password) {
    verify(password, DECOY);
  }

  /** Why {@code encoded} is not an acceptable hash, or {@code null} when it is. */
  static String invalid(String encoded) {
    return parse(encoded) == null
        ? "not a $" + SCHEME + "$ hash with at least " + ITERATIONS + " iterations"
        : null;
  }

  private static Parsed parse(String encoded) {
    String[] parts = encoded == null ? new String[0] : encoded.split("\\$", -1);
    if (parts.length != 5 || !parts[0].isEmpty() || !parts[1].equals(SCHEME)) {
      return null;
    }
    try {
      int iterations = Integer.parseInt(parts[2]);
      byte[] salt = B64D.decode(parts[3]);
      byte[] hash = B64D.decode(parts[4]);
      if (iterations < ITERATIONS
          || iterations > 10_000_000
          || salt.length < SALT_BYTES
          || hash.length < 16
          || hash.length > 64) {
        return null;
      }
      return new Parsed(iterations, salt, hash);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] derive(byte[] password, byte[] salt, int iterations, int bits) {
    // The JDK's PBKDF2 takes chars and encodes them as UTF-8; mapping each byte to the char of the
    // same value keeps
    // arbitrary (even invalid UTF-8) MQTT passwords distinct.
    char[] chars = new char[password.length];
    for (int i = 0; i < password.length; i++) {
      chars[i] = (char) (password[i] & 0xff);
    }
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, bits);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
    }
  }

  private record Parsed(int iterations, byte[] salt, byte[] hash) {}
}
