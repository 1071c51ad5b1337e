package io.outpost.gateway;

import io.outpost.durable.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The {@code storage.dir} checks made before anything opens a file in it. The directory itself is
 * created when missing (mode 0750), but its parent must exist: a typo in the path should stop the
 * daemon, not scatter data elsewhere.
 */
public final class DataDirectory {

  private DataDirectory() {}

  /** Checks without creating anything (for {@code validate}). */
  public static void check(Path dir) throws DataDirectoryException {
    Path absolute = dir.toAbsolutePath().normalize();
    if (Files.exists(absolute)) {
      requireWritableDirectory(absolute);
      return;
    }
    Path parent = absolute.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new DataDirectoryException(
          absolute, "is missing and its parent directory does not exist");
    }
    if (!Files.isWritable(parent)) {
      throw new DataDirectoryException(
          absolute, "is missing and cannot be created: " + parent + " is not writable");
    }
  }

  /** Checks, creating the directory itself when missing. Returns the absolute path. */
  public static Path prepare(Path dir) throws DataDirectoryException {
    Path absolute = dir.toAbsolutePath().normalize();
    check(absolute);
    if (!Files.exists(absolute)) {
      try {
        Files.createDirectory(absolute);
        restrictPermissions(absolute);
        // its name durable: else a power cut could take the directory, and every synced file in it,
        // away
        DurableFiles.fsyncDirectory(absolute.getParent());
      } catch (IOException e) {
        throw new DataDirectoryException(absolute, "cannot be created: " + e.getMessage());
      }
    }
    requireWritableDirectory(absolute);
    return absolute;
  }

  private static void restrictPermissions(Path dir) throws IOException {
    if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    }
  }

  private static void requireWritableDirectory(Path dir) throws DataDirectoryException {
    if (!Files.isDirectory(dir)) {
      throw new DataDirectoryException(dir, "is not a directory");
    }
    // Files.isWritable answers from permission bits; root, read-only mounts and ACLs need a real
    // write to know.
    try {
      Path probe = Files.createTempFile(dir, ".outpost-write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new DataDirectoryException(dir, "is not writable: " + e.getMessage());
    }
  }

  /** The data directory cannot be used; the message says which directory and why. */
  public static final class DataDirectoryException extends Exception {
    public DataDirectoryException(Path dir, String why) {
      super("data directory " + dir + " " + why);
    }
  }
}
