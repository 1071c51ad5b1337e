package io.outpost.gateway.cli;

import io.outpost.gateway.VersionInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a Java function project finds the function API and testkit: a local Maven repository laid
 * out by the build ({@code sdk/} beside the running {@code outpost.jar}: {@code
 * /usr/share/outpost/sdk} in the .deb, {@code share/outpost/sdk} in the tarball, {@code
 * packaging/target/sdk} in a source checkout), or the developer's own {@code ~/.m2/repository}
 * after a source checkout's {@code mvn install}. A packaged SDK also holds, in {@code npm/}, the
 * npm packages a wasm project's build uses ({@link FunctionsInitNpm}).
 *
 * @param repository the repository's root directory
 * @param shipped true for a packaged SDK (the project must name it as a repository), false for the
 *     developer's own local repository (Maven looks there anyway)
 * @param version the Outpost version of the API in it
 */
record FunctionsInitSdk(Path repository, boolean shipped, String version) {

  /** The .deb's SDK, used when the running jar has none beside it. */
  static final Path DEB_SDK = Path.of("/usr/share/outpost/sdk");

  private static final Path API = Path.of("io", "outpost", "outpost-function-api");

  /**
   * Finds the SDK: {@code explicit} if given, else {@code sdk/} beside the running jar, else the
   * .deb's, else {@code ~/.m2/repository}.
   *
   * @return empty when none of them holds the function API
   */
  static Optional<FunctionsInitSdk> find(Path explicit) {
    if (explicit != null) {
      return at(explicit, true);
    }
    Optional<Path> besideJar = runningJar().map(jar -> jar.resolveSibling("sdk"));
    if (besideJar.isPresent()) {
      Optional<FunctionsInitSdk> sdk = at(besideJar.get(), true);
      if (sdk.isPresent()) {
        return sdk;
      }
    }
    Optional<FunctionsInitSdk> deb = at(DEB_SDK, true);
    if (deb.isPresent()) {
      return deb;
    }
    return at(Path.of(System.getProperty("user.home"), ".m2", "repository"), false);
  }

  /** The SDK in {@code repository}, if it holds a version of the function API. */
  static Optional<FunctionsInitSdk> at(Path repository, boolean shipped) {
    Path api = repository.resolve(API);
    if (!Files.isDirectory(api)) {
      return Optional.empty();
    }
    List<String> versions;
    try (Stream<Path> dirs = Files.list(api)) {
      versions =
          dirs.filter(d -> Files.isRegularFile(d.resolve(jarName(d.getFileName().toString()))))
              .map(d -> d.getFileName().toString())
              .sorted(Comparator.reverseOrder())
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (versions.isEmpty()) {
      return Optional.empty();
    }
    // the running build's own version when the repository has it, else the newest there
    String running = VersionInfo.version();
    String version = versions.contains(running) ? running : versions.get(0);
    return Optional.of(
        new FunctionsInitSdk(repository.toAbsolutePath().normalize(), shipped, version));
  }

  /** The repository as a {@code file:} URL for a pom's {@code <repository>}. */
  String url() {
    return repository.toUri().toString();
  }

  private static String jarName(String version) {
    return "outpost-function-api-" + version + ".jar";
  }

  /** The outpost.jar this code runs from, if it runs from a jar (not from classes in a build). */
  private static Optional<Path> runningJar() {
    try {
      var source = FunctionsInitSdk.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return Optional.empty();
      }
      Path location = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
