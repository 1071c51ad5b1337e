package io.outpost.gateway.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * How a directory package travels to the admin API: a zip whose entries carry their files' unix
 * modes (as Info-ZIP's {@code zip} records them), so {@code ./run.sh} arrives executable.
 */
public final class PackageZip {

  /** Permission bits in {@code rwxrwxrwx} order, highest first. */
  private static final List<PosixFilePermission> BITS =
      List.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE,
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private PackageZip() {}

  /** Zips {@code dir}'s files, paths relative to it, each with its unix mode. */
  public static byte[] zip(Path dir) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes);
        Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        ZipArchiveEntry entry =
            new ZipArchiveEntry(dir.relativize(file).toString().replace('\\', '/'));
        entry.setUnixMode(UnixStat.FILE_FLAG | mode(file));
        zip.putArchiveEntry(entry);
        Files.copy(file, zip);
        zip.closeArchiveEntry();
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return bytes.toByteArray();
  }

  /** The permission bits of a file (0644 where the file system has no POSIX modes). */
  static int mode(Path file) throws IOException {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException notPosix) {
      return 0644;
    }
    int mode = 0;
    for (int i = 0; i < BITS.size(); i++) {
      if (perms.contains(BITS.get(i))) {
        mode |= 1 << (8 - i);
      }
    }
    return mode;
  }

  /** The permissions of the low nine bits of a unix mode. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < BITS.size(); i++) {
      if ((mode & (1 << (8 - i))) != 0) {
        perms.add(BITS.get(i));
      }
    }
    return perms;
  }
}
