package io.outpost.gateway.cli;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The npm packages a wasm project's build uses (the AssemblyScript compiler, its WASI shim and
 * their dependencies), pinned in {@code templates/wasm/npm-packages}. The build ships their {@code
 * npm pack} tarballs in the SDK's {@code npm/} directory; a project whose {@code package.json}
 * names those tarballs installs without the npm registry.
 */
final class FunctionsInitNpm {

  /** The SDK's directory of tarballs, beside its Maven repository's {@code io/}. */
  static final String SDK_DIRECTORY = "npm";

  private static final String LIST = "templates/wasm/npm-packages";
  private static final String PROJECT = "project";

  /**
   * One pinned package.
   *
   * @param name the npm name, e.g. {@code @assemblyscript/wasi-shim}
   * @param version the exact version
   * @param neededBy {@code project} for the project's own devDependencies, else the name of the
   *     package that depends on it
   * @param integrity the tarball's {@code sha512-} integrity, as npm records it
   */
  record NpmPackage(String name, String version, String neededBy, String integrity) {

    /** True for the project's own devDependencies, false for their dependencies. */
    boolean direct() {
      return PROJECT.equals(neededBy);
    }

    /** The tarball's file name, as {@code npm pack} writes it: {@code scope-name-1.0.0.tgz}. */
    String tarball() {
      return (name.startsWith("@") ? name.substring(1) : name).replace('/', '-')
          + "-"
          + version
          + ".tgz";
    }
  }

  private FunctionsInitNpm() {}

  /** The pinned packages, in the list's order. */
  static List<NpmPackage> packages() {
    List<NpmPackage> packages = new ArrayList<>();
    for (String line : read().split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      String[] fields = trimmed.split("\\s+");
      if (fields.length != 4) {
        throw new IllegalStateException(
            LIST + ": expected 'name version needed-by integrity': " + line);
      }
      packages.add(new NpmPackage(fields[0], fields[1], fields[2], fields[3]));
    }
    return packages;
  }

  /**
   * The SDK's npm directory beside {@code repository}, if it holds the tarball of every pinned
   * package.
   */
  static Optional<Path> tarballs(Path repository) {
    Path dir = repository.resolve(SDK_DIRECTORY);
    boolean complete =
        packages().stream().allMatch(p -> Files.isRegularFile(dir.resolve(p.tarball())));
    return complete ? Optional.of(dir.toAbsolutePath().normalize()) : Optional.empty();
  }

  /**
   * The dependency members of the project's {@code package.json}, indented for its top level. With
   * {@code tarballs}: every pinned package as a {@code file:} dependency on its tarball, and {@code
   * overrides} that point the packages' own dependencies at those (npm then asks no registry).
   * Without: the project's devDependencies by version, from the npm registry.
   */
  static String dependencies(Optional<Path> tarballs) {
    List<NpmPackage> packages = packages();
    if (tarballs.isEmpty()) {
      return members(
          "devDependencies",
          packages.stream().filter(NpmPackage::direct).toList(),
          NpmPackage::version);
    }
    Path dir = tarballs.get();
    String devDependencies =
        members("devDependencies", packages, p -> "file:" + dir.resolve(p.tarball()));
    List<NpmPackage> transitive = packages.stream().filter(p -> !p.direct()).toList();
    return transitive.isEmpty()
        ? devDependencies
        : devDependencies + ",\n" + members("overrides", transitive, p -> "$" + p.name());
  }

  private static String members(
      String key, List<NpmPackage> packages, Function<NpmPackage, String> spec) {
    return packages.stream()
        .map(p -> "    " + quote(p.name()) + ": " + quote(spec.apply(p)))
        .collect(Collectors.joining(",\n", "  " + quote(key) + ": {\n", "\n  }"));
  }

  private static String quote(String text) {
    return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + '"';
  }

  private static String read() {
    try (InputStream in =
        Objects.requireNonNull(
            FunctionsInitNpm.class.getResourceAsStream(LIST), () -> "missing " + LIST)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
