package io.outpost.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * The tarballs the SDK's {@code npm/} must hold: one per package pinned in the daemon's {@code
 * templates/wasm/npm-packages} (name, version, needed-by, integrity), named as {@code npm pack}
 * names them.
 */
final class SdkNpmPackages {

  private static final String LIST = "/io/outpost/gateway/cli/templates/wasm/npm-packages";

  private SdkNpmPackages() {}

  /** File names such as {@code assemblyscript-wasi-shim-0.1.0.tgz}. */
  static List<String> tarballs() {
    String list;
    try (InputStream in =
        Objects.requireNonNull(SdkNpmPackages.class.getResourceAsStream(LIST), LIST)) {
      list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return list.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .map(line -> line.split("\\s+"))
        .map(f -> f[0].replaceFirst("^@", "").replace('/', '-') + "-" + f[1] + ".tgz")
        .toList();
  }
}
