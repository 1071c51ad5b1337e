package io.outpost.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files {@code mvn package} built in {@code packaging/target}; failsafe runs after package, so
 * they exist.
 */
final class Artifacts {

  static final Path TARGET = Path.of("target").toAbsolutePath();
  static final Path JAR = TARGET.resolve("outpost.jar");

  private Artifacts() {}

  /** {@code outpost_VERSION_all.deb}. */
  static Path deb() throws IOException {
    return single("outpost_", "_all.deb");
  }

  /** {@code outpost-VERSION.tar.gz}. */
  static Path tarball() throws IOException {
    return single("outpost-", ".tar.gz");
  }

  private static Path single(String prefix, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(TARGET)) {
      List<Path> found =
          files
              .filter(
                  p -> {
                    String name = p.getFileName().toString();
                    return name.startsWith(prefix) && name.endsWith(suffix);
                  })
              .toList();
      if (found.size() != 1) {
        throw new AssertionError(
            "expected one "
                + prefix
                + "*"
                + suffix
                + " in "
                + TARGET
                + ", found "
                + found
                + " (run mvn package first)");
      }
      return found.get(0);
    }
  }
}
