package io.outpost.gateway.admin;

import io.outpost.gateway.config.AdminConfig.UploadLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Stages an uploaded function package on disk for the runtime: a JAR as a file, a zipped directory
 * package unpacked into a directory. Unpacking refuses entries that escape the directory and
 * archives beyond the configured bounds ({@code admin.maxUnpackedBytes}, {@code
 * admin.maxPackageFiles}) with {@link UploadRejected}.
 */
final class Upload {

  private Upload() {}

  static Path stage(Path uploads, byte[] body, boolean zip, UploadLimits limits)
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
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(body))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
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
        try (var out = Files.newOutputStream(target)) {
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
      }
    }
    if (entries == 0) {
      throw new IOException("not a zip archive, or an empty one");
    }
  }

  static void delete(Path path) throws IOException {
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
