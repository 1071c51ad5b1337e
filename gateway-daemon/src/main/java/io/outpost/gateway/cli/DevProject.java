package io.outpost.gateway.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

/**
 * A function project under {@code outpost functions dev}: how to build it and what to deploy. A
 * Maven project (a {@code pom.xml}) is built with its own build and deploys the jar in {@code
 * target/} that carries {@code outpost-function.yaml}; any other project (Python, Wasm) deploys its
 * directory, after the {@code --build} command when one is given.
 *
 * <p>A Maven project builds either with a new {@code mvn} process per build, or, once {@link
 * #useWarmMaven} was called, in a {@link WarmMaven} kept running between builds. The warm build can
 * split the build in two: {@link #build()} packages the jar with the tests compiled but not run,
 * and {@link #test()} runs them after the deploy.
 */
final class DevProject implements AutoCloseable {

  /** The descriptor every package carries at its root. */
  static final String DESCRIPTOR = "outpost-function.yaml";

  static final String MAVEN_OFFLINE = "mvn -q -o package";
  static final String MAVEN_ONLINE = "mvn -q package";

  /** The warm build's Maven options: batch mode (no colours, no prompts), quiet, offline. */
  static final List<String> WARM_OPTIONS = List.of("-B", "-q", "-o");

  /** What the warm build packages with when the tests run after the deploy. */
  static final List<String> WARM_PACKAGE_NO_TESTS = List.of("package", "-DskipTests");

  /** What the warm build runs the tests with after the deploy (the classes are compiled). */
  static final List<String> WARM_TESTS = List.of("surefire:test");

  /** What a build printed and how it ended. */
  record BuildResult(int exit, String output) {
    boolean ok() {
      return exit == 0;
    }
  }

  private final Path dir;
  private final boolean maven;
  private String build;
  private WarmMaven warm;
  private boolean testsAfterDeploy;
  private boolean online;

  /**
   * @param dir the project directory
   * @param build the build command ({@code sh -c}), or null for the default ({@code mvn -q -o
   *     package} for Maven, falling back to {@code mvn -q package} once if offline cannot resolve;
   *     none for other projects)
   */
  DevProject(Path dir, String build) {
    this.dir = dir;
    this.maven = Files.isRegularFile(dir.resolve("pom.xml"));
    this.build = build != null ? build : maven ? MAVEN_OFFLINE : null;
  }

  boolean isMaven() {
    return maven;
  }

  /**
   * Builds this Maven project in {@code warm} from now on, unless {@code --build} named a command.
   *
   * @param testsAfterDeploy true: {@link #build()} skips running the tests and {@link #test()} runs
   *     them; false: {@link #build()} runs them, as {@code mvn package} does
   */
  void useWarmMaven(WarmMaven warm, boolean testsAfterDeploy) {
    this.warm = warm;
    this.testsAfterDeploy = testsAfterDeploy;
  }

  /** True when {@link #test()} runs the tests after the deploy. */
  boolean testsAfterDeploy() {
    return warm != null && testsAfterDeploy;
  }

  /** The build command in force, or null when the project deploys as it is. */
  String buildCommand() {
    if (warm != null) {
      return "mvn " + String.join(" ", warmArgs(packageGoals())) + " in the warm build JVM";
    }
    return build;
  }

  /** Runs the build in the project directory; null when there is none. */
  BuildResult build() throws IOException, InterruptedException {
    if (warm != null) {
      return warmBuild(packageGoals());
    }
    if (build == null) {
      return null;
    }
    BuildResult result = run(build);
    if (!result.ok() && MAVEN_OFFLINE.equals(build) && needsNetwork(result.output())) {
      build = MAVEN_ONLINE; // the local repository lacks something: fetch it once, then go on
      result = run(build);
    }
    return result;
  }

  /**
   * Runs the tests the last {@link #build()} compiled but did not run; null unless {@link
   * #testsAfterDeploy()}.
   */
  BuildResult test() throws IOException {
    return testsAfterDeploy() ? warmBuild(WARM_TESTS) : null;
  }

  private List<String> packageGoals() {
    return testsAfterDeploy ? WARM_PACKAGE_NO_TESTS : List.of("package");
  }

  private List<String> warmArgs(List<String> goals) {
    List<String> args = new ArrayList<>(online ? WARM_OPTIONS.subList(0, 2) : WARM_OPTIONS);
    args.addAll(goals);
    return args;
  }

  private BuildResult warmBuild(List<String> goals) throws IOException {
    WarmMaven maven = warm;
    try {
      BuildResult result = maven.run(warmArgs(goals));
      if (!result.ok() && !online && needsNetwork(result.output())) {
        online = true; // the local repository lacks something: fetch it once, then go on
        result = maven.run(warmArgs(goals));
      }
      return result;
    } catch (IOException e) {
      warm = null; // builds go on with a new mvn per build
      build = online ? MAVEN_ONLINE : MAVEN_OFFLINE;
      maven.close();
      throw new IOException(
          e.getMessage() + "; the next build runs " + (online ? MAVEN_ONLINE : MAVEN_OFFLINE), e);
    }
  }

  /** Stops the warm build JVM, if any. */
  @Override
  public void close() {
    if (warm != null) {
      warm.close();
    }
  }

  /** The package to deploy: the built jar (Maven) or the directory itself. */
  Path deployable() throws IOException {
    if (!maven) {
      return dir;
    }
    Path target = dir.resolve("target");
    if (!Files.isDirectory(target)) {
      throw new IOException("the build left no target/ directory in " + dir);
    }
    try (Stream<Path> jars = Files.list(target)) {
      List<Path> candidates =
          jars.filter(p -> p.getFileName().toString().endsWith(".jar"))
              .filter(p -> !p.getFileName().toString().matches(".*-(sources|javadoc|tests)\\.jar"))
              .sorted(Comparator.comparing(DevProject::modified).reversed())
              .toList();
      for (Path jar : candidates) {
        if (hasDescriptor(jar)) {
          return jar;
        }
      }
    }
    throw new IOException(
        "no jar with " + DESCRIPTOR + " in " + target + " (is it in src/main/resources?)");
  }

  private BuildResult run(String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sh", "-c", command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    try {
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new BuildResult(p.waitFor(), output);
    } finally {
      p.destroyForcibly();
    }
  }

  /** Maven's way of saying an offline build lacks an artifact. */
  static boolean needsNetwork(String output) {
    return output.contains("offline mode");
  }

  private static boolean hasDescriptor(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.getEntry(DESCRIPTOR) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
