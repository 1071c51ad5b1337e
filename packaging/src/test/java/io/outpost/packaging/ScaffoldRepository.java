package io.outpost.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A Maven local repository for building function scaffolds offline in tests: the developer's own
 * {@code ~/.m2/repository} linked in for Maven's plugins and JUnit (read only: an offline build
 * downloads nothing into it), but without any {@code io.outpost} artifact, so that the function API
 * and testkit can only come from the packaged SDK.
 */
final class ScaffoldRepository {

  static final Path USER_REPOSITORY = Path.of(System.getProperty("user.home"), ".m2", "repository");

  private ScaffoldRepository() {}

  /** Creates the repository in {@code dir} (which must not exist) and returns it. */
  static Path create(Path dir) throws IOException {
    Files.createDirectories(dir);
    linkAllBut(USER_REPOSITORY, dir, "io");
    Path io = Files.createDirectories(dir.resolve("io"));
    if (Files.isDirectory(USER_REPOSITORY.resolve("io"))) {
      linkAllBut(USER_REPOSITORY.resolve("io"), io, "outpost");
    }
    return dir;
  }

  private static void linkAllBut(Path from, Path to, String except) throws IOException {
    try (Stream<Path> entries = Files.list(from)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.equals(except)) {
          Files.createSymbolicLink(to.resolve(name), entry);
        }
      }
    }
  }
}
