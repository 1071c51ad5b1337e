package io.outpost.gateway.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The bearer token every admin API request must carry. Created at first start with 256 random bits in a file only its
 * owner can read (mode 0600); the CLI reads the same file. Comparison is constant-time.
 */
public final class AdminToken {

  private static final int TOKEN_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");

  private final byte[] expected;

  private AdminToken(String token) {
    this.expected = token.getBytes(StandardCharsets.UTF_8);
  }

  /** Reads the token from {@code file}, creating the file with a fresh random token (mode 0600) when missing. */
  public static AdminToken loadOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      String token = HexFormat.of().formatHex(randomBytes());
      try {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE));
        } else {
          Files.createFile(file);
        }
        Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      } catch (FileAlreadyExistsException raced) {
        // another process created it first; use theirs
      }
    }
    return new AdminToken(read(file));
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

  /** Whether an {@code Authorization} header value carries this token; constant-time in the token's content. */
  public boolean matchesHeader(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, presented);
  }
}
