package io.outpost.durable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files that survive a power cut. After a cut, a file keeps only what its own {@code fsync}
 * covered, and a name (creation, rename, removal) only what a {@code fsync} of its directory
 * covered; a file written and renamed without both may come back empty, torn or under its old name.
 * Every file the daemon relies on at its next start is written through here.
 *
 * <p>The pattern: write a temporary file beside the target, {@code fsync} it, rename it over the
 * target (atomic on POSIX filesystems: readers see the old or the new content, never a mix), {@code
 * fsync} the directory.
 */
public final class DurableFiles {

  /** Owner read and write only: for secrets (tokens, password hashes). */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** Readable by everyone, writable by the owner: what {@code permissions = null} means. */
  public static final Set<PosixFilePermission> DEFAULT_PERMISSIONS =
      PosixFilePermissions.fromString("rw-r--r--");

  private static final String TEMP_SUFFIX = ".tmp";

  private DurableFiles() {}

  /**
   * Replaces {@code target} with {@code content} atomically and durably: when this returns, {@code
   * target} holds {@code content} across a power cut, and at no moment does it hold anything but
   * its old or its new content.
   *
   * @param permissions the new file's permissions ({@code null}: {@link #DEFAULT_PERMISSIONS}), set
   *     before any byte is written
   */
  public static void writeAtomically(
      Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
    Path dir = parentOf(target);
    Path tmp = writeTemporary(dir, target, content, permissions);
    try {
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Creates {@code target} with {@code content} durably, only if it does not exist: the file
   * appears complete or not at all (a hard link to a synced temporary file), so a concurrent reader
   * never sees it empty.
   *
   * @return whether this call created it ({@code false}: it existed, its content is untouched)
   */
  public static boolean createAtomically(
      Path target, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
    Path dir = parentOf(target);
    Path tmp = writeTemporary(dir, target, content, permissions);
    try {
      Files.createLink(target, tmp);
      return true;
    } catch (FileAlreadyExistsException exists) {
      return false;
    } catch (UnsupportedOperationException | FileSystemException noHardLinks) {
      // a filesystem without hard links (vfat, some network mounts): a rename, which cannot refuse
      // an existing target
      if (Files.exists(target)) {
        return false;
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } finally {
      Files.deleteIfExists(tmp);
      fsyncDirectory(dir);
    }
  }

  /** Makes {@code file}'s content durable ({@code fsync}). */
  public static void fsync(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
  }

  /**
   * Makes the names in {@code dir} durable: files created, renamed into or removed from it. Linux
   * allows a {@code fsync} on a directory opened read-only.
   */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * Makes a whole tree durable: every regular file, then every directory bottom-up, then {@code
   * root}'s parent (for {@code root}'s own name). For a directory built beside its final place and
   * then renamed into it.
   */
  public static void fsyncTree(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            if (attrs.isRegularFile()) {
              try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                channel.force(true);
              }
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            fsyncDirectory(dir);
            return FileVisitResult.CONTINUE;
          }
        });
    fsyncDirectory(parentOf(root));
  }

  /**
   * Renames {@code source} to {@code target} atomically (replacing it) and makes the change
   * durable: {@code fsync} of both directories. {@code source}'s content must be durable already
   * ({@link #fsync}, {@link #fsyncTree}).
   */
  public static void moveAtomically(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Path to = parentOf(target);
    Path from = parentOf(source);
    fsyncDirectory(to);
    if (!from.equals(to)) {
      fsyncDirectory(from);
    }
  }

  private static Path writeTemporary(
      Path dir, Path target, byte[] content, Set<PosixFilePermission> permissions)
      throws IOException {
    String prefix = "." + target.getFileName() + "-";
    Path tmp =
        dir.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? Files.createTempFile(
                dir,
                prefix,
                TEMP_SUFFIX,
                attribute(permissions == null ? DEFAULT_PERMISSIONS : permissions))
            : Files.createTempFile(dir, prefix, TEMP_SUFFIX);
    try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return tmp;
  }

  private static FileAttribute<Set<PosixFilePermission>> attribute(
      Set<PosixFilePermission> permissions) {
    return PosixFilePermissions.asFileAttribute(permissions);
  }

  private static Path parentOf(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (parent == null) {
      throw new IllegalArgumentException(file + " has no parent directory");
    }
    return parent;
  }
}
