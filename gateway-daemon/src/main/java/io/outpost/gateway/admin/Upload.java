package io.outpost.gateway.admin;

import io.outpost.gateway.config.AdminConfig.UploadLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Stages an uploaded function package on disk for the runtime: a JAR as a file, a zipped directory
 * package unpacked into a directory with the unix modes its entries carry (execute bits survive).
 * Unpacking refuses entries that escape the directory and archives beyond the configured bounds
 * ({@code admin.maxUnpackedBytes}, {@code admin.maxPackageFiles}) with {@link UploadRejected}.
 */
public final class Upload {

  private Upload() {}

  /**
   * Writes {@code body} under {@code uploads}: a JAR file, or ({@code zip}) a directory unpacked
   * within {@code limits}. Also used by {@code functions validate} for a zipped package.
   */
  public static Path stage(Path uploads, byte[] body, boolean zip, UploadLimits limits)
      throws IOException {
    if (body.length == 0) {
      throw new IOException("empty package");
    }
    Files.createDirectories(uploads);
    if (!zip) {
      Path jar = Files.createTempFile(uploads, "function-", ".jar");
      Files.write(jar, body);
      return jar;
    }
    Path dir = Files.createTempDirectory(uploads, "function-");
    try {
      unzip(body, dir, limits);
    } catch (IOException | RuntimeException e) {
      delete(dir);
      throw e;
    }
    return dir;
  }

  private static void unzip(byte[] body, Path dir, UploadLimits limits) throws IOException {
    long total = 0;
    int entries = 0;
    ZipFile zip;
    try {
      zip = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(body)).get();
    } catch (IOException e) {
      throw new IOException("the package is not a readable zip archive", e);
    }
    try (zip) {
      for (Enumeration<ZipArchiveEntry> all = zip.getEntriesInPhysicalOrder();
          all.hasMoreElements(); ) {
        ZipArchiveEntry e = all.nextElement();
        if (++entries > limits.maxPackageFiles()) {
          throw new UploadRejected(
              UploadRejected.TOO_MANY_FILES,
              "package has more than "
                  + limits.maxPackageFiles()
                  + " files (admin.maxPackageFiles)");
        }
        Path target = dir.resolve(e.getName()).normalize();
        if (!target.startsWith(dir)) {
          throw new IOException("package entry escapes its directory: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(target);
          continue;
        }
        Files.createDirectories(target.getParent());
        byte[] buffer = new byte[8192];
        try (InputStream in = zip.getInputStream(e);
            var out = Files.newOutputStream(target)) {
          for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
            total += n;
            if (total > limits.maxUnpackedBytes()) {
              throw new UploadRejected(
                  UploadRejected.EXPANDS_TOO_LARGE,
                  "package expands beyond "
                      + limits.maxUnpackedBytes()
                      + " bytes (admin.maxUnpackedBytes)");
            }
            out.write(buffer, 0, n);
          }
        }
        keepMode(target, e);
      }
    }
    if (entries == 0) {
      throw new IOException("not a zip archive, or an empty one");
    }
  }

  /**
   * Gives a file the unix mode its entry carries (the CLI and {@code zip} record it), so a script
   * stays executable; owner read and write are always kept so the daemon can copy and delete it.
   */
  static void keepMode(Path file, ZipArchiveEntry entry) throws IOException {
    int mode = entry.getUnixMode();
    if (entry.getPlatform() != ZipArchiveEntry.PLATFORM_UNIX || mode == 0) {
      return;
    }
    try {
      Files.setPosixFilePermissions(file, PackageZip.permissions(mode | 0600));
    } catch (UnsupportedOperationException notPosix) {
      // not a POSIX file system: there are no modes to keep
    }
  }

  /** Deletes a staged package. */
  public static void delete(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> all = Files.walk(path)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
