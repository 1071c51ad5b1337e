package io.outpost.gateway.admin;

import io.outpost.durable.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bearer token every admin API request must carry. Created at first start with 256 random bits
 * in a file only its owner can read (mode 0600); the CLI reads the same file. Comparison is
 * constant-time.
 */
public final class AdminToken {

  private static final int TOKEN_BYTES = 32;
  private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

  private final byte[] expected;

  private AdminToken(String token) {
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads the token from {@code file}, creating the file with a fresh random token (mode 0600) when
   * missing. The file appears complete and synced or not at all; one found empty (left so by a
   * power cut under an older version, which wrote it without fsync) is replaced by a fresh token,
   * as at first start, instead of failing every start.
   */
  public static AdminToken loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      // false: another process created it first; use theirs
      DurableFiles.createAtomically(file, freshToken(), DurableFiles.OWNER_ONLY);
    } else if (Files.readString(file, StandardCharsets.UTF_8).isBlank()) {
      LOG.warn(
          "admin token file {} was empty (cut off before it was synced); wrote a fresh token",
          file);
      DurableFiles.writeAtomically(file, freshToken(), DurableFiles.OWNER_ONLY);
    }
    return new AdminToken(read(file));
  }

  private static byte[] freshToken() {
    return (HexFormat.of().formatHex(randomBytes()) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Reads an existing token file (for the CLI). */
  public static String read(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).trim();
    if (token.isEmpty()) {
      throw new IOException("admin token file " + file + " is empty");
    }
    return token;
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[TOKEN_BYTES];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /**
   * Whether an {@code Authorization} header value carries this token; constant-time in the token's
   * content.
   */
  public boolean matchesHeader(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, presented);
  }
}
