package io.outpost.gateway.cli;

import io.outpost.gateway.ExitCodes;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost functions init NAME --runtime java|python|wasm [--dir DIR]}: writes a function
 * project (build, descriptor, handler, unit test, README) whose own test passes right away and that
 * builds without a network. Needs no daemon.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description =
        "Create a function project: descriptor, handler, a unit test and a README "
            + "(java: a Maven project against the Outpost SDK; python: a process function; "
            + "wasm: an AssemblyScript project that installs from the SDK's npm packages).")
final class FunctionsInitCommand implements Callable<Integer> {

  /** The runtimes a project can be created for. */
  enum Kind {
    JAVA,
    PYTHON,
    WASM;

    String template() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The descriptor's rule for function names, so that the project deploys as created. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  @Parameters(paramLabel = "NAME", description = "Function name: a-z, 0-9, '.', '_', '-'.")
  String name;

  @Option(
      names = "--runtime",
      required = true,
      paramLabel = "java|python|wasm",
      description = "The function's runtime: java, python or wasm.",
      converter = RuntimeConverter.class)
  Kind runtime;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to create the project (default: ./NAME). Must be absent or empty.")
  Path dir;

  @Option(
      names = "--sdk",
      paramLabel = "DIR",
      description =
          "The Outpost SDK (a local Maven repository, with npm/ holding the AssemblyScript "
              + "packages for wasm projects); default: sdk/ beside outpost.jar, "
              + "/usr/share/outpost/sdk, else ~/.m2/repository.")
  Path sdk;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (!NAME.matcher(name).matches()) {
      err.println(
          "outpost: function name '"
              + name
              + "': use 1 to 64 of a-z, 0-9, '.', '_', '-', starting with a letter or digit");
      return ExitCodes.USAGE;
    }
    Path target = dir != null ? dir : Path.of(name);
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      err.println("outpost: " + target + " already exists and is not empty; choose another --dir");
      return ExitCodes.CANT_CREATE;
    }
    Optional<FunctionsInitSdk> found =
        runtime == Kind.PYTHON ? Optional.empty() : FunctionsInitSdk.find(sdk);
    if (runtime == Kind.JAVA && found.isEmpty()) {
      err.println(
          "outpost: no Outpost SDK found"
              + (sdk != null
                  ? " in " + sdk
                  : " (looked beside outpost.jar, in "
                      + FunctionsInitSdk.DEB_SDK
                      + " and in ~/.m2/repository)")
              + "; install the outpost package, or run mvn install in an Outpost source checkout");
      return ExitCodes.NOT_FOUND;
    }
    Optional<Path> tarballs = Optional.empty();
    if (runtime == Kind.WASM) {
      tarballs = found.flatMap(s -> FunctionsInitNpm.tarballs(s.repository()));
      if (tarballs.isEmpty() && sdk != null) {
        err.println(
            "outpost: no AssemblyScript packages in "
                + sdk.resolve(FunctionsInitNpm.SDK_DIRECTORY)
                + "; name an Outpost SDK that has them, or leave out --sdk to use the npm registry");
        return ExitCodes.NOT_FOUND;
      }
      if (tarballs.isEmpty()) {
        err.println(
            "outpost: note: no Outpost SDK with the AssemblyScript packages found (looked beside "
                + "outpost.jar, in "
                + FunctionsInitSdk.DEB_SDK
                + " and in ~/.m2/repository); npm install will fetch them from the npm registry");
      }
    }
    Map<String, String> files =
        FunctionsInitTemplates.render(runtime.template(), values(found.orElse(null), tarballs));
    try {
      for (Map.Entry<String, String> file : files.entrySet()) {
        Path path = target.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
    } catch (IOException e) {
      err.println("outpost: cannot write the project in " + target + ": " + e.getMessage());
      return ExitCodes.CANT_CREATE;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("created " + runtime.template() + " function " + name + " in " + target);
    out.println(nextSteps(target, tarballs.isPresent()));
    out.flush();
    return ExitCodes.OK;
  }

  private String nextSteps(Path target, boolean offline) {
    String cd = "  cd " + target + "\n";
    return switch (runtime) {
      case JAVA ->
          cd + "  mvn -o -q package\n" + "  outpost functions deploy target/" + name + ".jar";
      case PYTHON -> cd + "  python3 -m unittest\n  outpost functions deploy .";
      case WASM ->
          cd
              + (offline ? "  npm install --offline" : "  npm install")
              + " && npm test\n  outpost functions deploy dist";
    };
  }

  private Map<String, String> values(FunctionsInitSdk found, Optional<Path> tarballs) {
    String className = className(name);
    String pkg = "com.example." + packagePart(name);
    String repositories = "";
    String where = "";
    String version = "";
    if (found != null) {
      version = found.version();
      if (found.shipped()) {
        repositories =
            """

              <!-- the Outpost SDK that `outpost functions init` found: a local Maven repository on this machine -->
              <repositories>
                <repository>
                  <id>outpost-sdk</id>
                  <url>%s</url>
                  <snapshots>
                    <enabled>true</enabled>
                  </snapshots>
                </repository>
              </repositories>
            """
                .formatted(found.url());
        where = "a local Maven repository in `" + found.repository() + "` (see pom.xml)";
      } else {
        where = "your local Maven repository (`mvn install` of an Outpost source checkout)";
      }
    }
    return Map.of(
        "name", name,
        "className", className,
        "package", pkg,
        "packagePath", pkg.replace('.', '/'),
        "outpostVersion", version,
        "repositories", repositories,
        "sdkWhere", where,
        "npmDependencies", FunctionsInitNpm.dependencies(tarballs),
        "npmInstallLine", npmInstallLine(tarballs.isPresent()),
        "npmNote", npmNote(tarballs));
  }

  private static String npmInstallLine(boolean offline) {
    return offline
        ? "npm install --offline              # the AssemblyScript compiler, from the Outpost SDK"
        : "npm install                        # the AssemblyScript compiler, from the npm registry";
  }

  private static String npmNote(Optional<Path> tarballs) {
    return tarballs
        .map(
            dir ->
                "`package.json` names the AssemblyScript packages by their tarballs in the Outpost SDK (`"
                    + dir
                    + "`), so `npm install` needs no registry. After an Outpost upgrade that changes\n"
                    + "their versions, copy `devDependencies` and `overrides` from a project that "
                    + "`outpost functions init` writes anew.")
        .orElse(
            "`outpost functions init` found no Outpost SDK with the AssemblyScript packages, so "
                + "`npm install` fetches them\nfrom the npm registry once (later installs work "
                + "with `npm install --offline` from npm's cache).");
  }

  /** {@code my-temp.sensor} becomes {@code MyTempSensor}; a leading digit gets an {@code F}. */
  static String className(String functionName) {
    StringBuilder out = new StringBuilder();
    for (String part : functionName.split("[^a-z0-9]+")) {
      if (!part.isEmpty()) {
        out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    if (out.length() == 0 || Character.isDigit(out.charAt(0))) {
      out.insert(0, 'F');
    }
    return out.toString();
  }

  /**
   * A valid Java package name part for the function name: {@code my-fn.v2} becomes {@code
   * my_fn_v2}.
   */
  static String packagePart(String functionName) {
    String part = functionName.replaceAll("[^a-z0-9]", "_");
    if (Character.isDigit(part.charAt(0))) {
      part = "_" + part;
    }
    return SourceVersion.isKeyword(part) ? part + "_" : part;
  }

  private static boolean isEmptyDirectory(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    }
  }

  /** Accepts the runtime in any case, as users type it. */
  static final class RuntimeConverter implements picocli.CommandLine.ITypeConverter<Kind> {
    @Override
    public Kind convert(String value) {
      try {
        return Kind.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected java, python or wasm, was '" + value + "'");
      }
    }
  }
}
