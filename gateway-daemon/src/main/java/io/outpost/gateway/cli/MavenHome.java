package io.outpost.gateway.cli;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * A Maven installation the dev command can keep warm: the directory holding {@code bin/m2.conf},
 * {@code boot/plexus-classworlds*.jar} and {@code lib/maven-embedder*.jar} (Maven 3.x's layout).
 * Found from {@code --maven-home}, or from the {@code mvn} on {@code PATH} with its symbolic links
 * followed ({@code /usr/bin/mvn} is {@code /usr/share/maven/bin/mvn} on Debian), which is the
 * installation a plain {@code mvn} would run.
 *
 * @param dir the installation directory
 * @param version Maven's version, from {@code maven-core}'s {@code pom.properties} ({@code ?} if
 *     unreadable)
 */
record MavenHome(Path dir, String version) {

  /** Where Maven's launcher jars live, relative to the installation. */
  static final String BOOT = "boot";

  /** The class-world configuration {@code mvn} starts Maven with. */
  static final String M2_CONF = "bin/m2.conf";

  /** Why no installation could be used: said once, then the dev command builds with {@code mvn}. */
  static final class NotFound extends Exception {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  /**
   * The installation named by {@code explicit}, or else the one behind the first {@code mvn} on
   * {@code path}.
   *
   * @param explicit {@code --maven-home}, or null
   * @param path the {@code PATH} to search, or null
   */
  static MavenHome locate(Path explicit, String path) throws NotFound {
    if (explicit != null) {
      return at(explicit.toAbsolutePath().normalize())
          .orElseThrow(
              () ->
                  new NotFound(
                      explicit
                          + " is not a Maven 3 installation (no "
                          + M2_CONF
                          + ", boot/ and lib/maven-embedder*.jar)"));
    }
    Optional<Path> mvn = onPath(path);
    if (mvn.isEmpty()) {
      throw new NotFound("no mvn on PATH");
    }
    Path bin = mvn.get().getParent();
    Path home = bin == null ? null : bin.getParent();
    if (home == null) {
      throw new NotFound(mvn.get() + " is not inside a Maven installation");
    }
    return at(home)
        .orElseThrow(
            () ->
                new NotFound(
                    "the mvn on PATH ("
                        + mvn.get()
                        + ") is not inside a Maven 3 installation (Maven 4 or a wrapper?)"));
  }

  /** The installation at {@code dir}, when it has Maven 3's layout. */
  static Optional<MavenHome> at(Path dir) {
    if (!Files.isRegularFile(dir.resolve(M2_CONF)) || jars(dir.resolve(BOOT), "").isEmpty()) {
      return Optional.empty();
    }
    List<Path> embedder = jars(dir.resolve("lib"), "maven-embedder");
    if (embedder.isEmpty()) {
      return Optional.empty();
    }
    List<Path> core = jars(dir.resolve("lib"), "maven-core");
    return Optional.of(new MavenHome(dir, core.isEmpty() ? "?" : version(core.get(0))));
  }

  /** The real path (links followed) of the first executable {@code mvn} on {@code path}. */
  static Optional<Path> onPath(String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path mvn = Path.of(entry, "mvn");
      if (Files.isRegularFile(mvn) && Files.isExecutable(mvn)) {
        try {
          return Optional.of(mvn.toRealPath());
        } catch (IOException e) {
          // a dangling link: look further along PATH, as the shell would not run it either
        }
      }
    }
    return Optional.empty();
  }

  /** The jars launching Maven ({@code boot/*.jar}), for the build JVM's class loader. */
  List<Path> bootJars() {
    return jars(dir.resolve(BOOT), "");
  }

  private static List<Path> jars(Path dir, String prefix) {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return found;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, prefix + "*.jar")) {
      for (Path jar : entries) {
        found.add(jar);
      }
    } catch (IOException e) {
      return List.of();
    }
    found.sort(null);
    return found;
  }

  private static String version(Path coreJar) {
    try (ZipFile zip = new ZipFile(coreJar.toFile())) {
      ZipEntry entry = zip.getEntry("META-INF/maven/org.apache.maven/maven-core/pom.properties");
      if (entry == null) {
        return "?";
      }
      try (InputStream in = zip.getInputStream(entry)) {
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version", "?");
      }
    } catch (IOException e) {
      return "?";
    }
  }
}
