package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm build with the Maven installed on this machine: one build JVM runs build after build of
 * a real project (offline, against this checkout's function API), reports compile errors and
 * failing tests as Maven prints them (no stack trace), keeps one build's {@code -D} options out of
 * the next, and ends when closed.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class WarmMavenTest {

  @TempDir static Path dir;

  private static JavaFunctionProject project;
  private static WarmMaven maven;

  @BeforeAll
  static void startBuildJvm() throws Exception {
    MavenHome home;
    try {
      home = MavenHome.locate(null, System.getenv("PATH"));
    } catch (MavenHome.NotFound e) {
      assumeTrue(false, "needs an installed Maven 3: " + e.getMessage());
      return;
    }
    project = JavaFunctionProject.create(dir.resolve("greeter"), dir.resolve("m2"), "greeter");
    maven = WarmMaven.start(home, project.dir());
  }

  @AfterAll
  static void stopBuildJvm() {
    if (maven != null) {
      maven.close();
    }
  }

  private static DevProject.BuildResult build(String... goals) throws IOException {
    List<String> args = new ArrayList<>(DevProject.WARM_OPTIONS);
    args.addAll(List.of(goals));
    return maven.run(args);
  }

  private static String descriptorIn(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return new String(
          zip.getInputStream(zip.getEntry(DevProject.DESCRIPTOR)).readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void buildsThenRebuildsAnEditInTheSameJvm() throws Exception {
    assertThat(maven.version()).matches("3\\..*");
    DevProject.BuildResult first = build("package");
    assertThat(first.exit()).as(first.output()).isZero();
    assertThat(descriptorIn(project.jar())).contains("version: 1.0.0");
    assertThat(project.dir().resolve("target/surefire-reports")).isDirectory();

    project.descriptor("1.0.1");
    project.handler("\"hello 1\"");
    DevProject.BuildResult second = build("package");

    assertThat(second.exit()).as(second.output()).isZero();
    assertThat(descriptorIn(project.jar())).contains("version: 1.0.1");
    assertThat(maven.alive()).as("the same build JVM").isTrue();
  }

  @Test
  void aCompileErrorIsPrintedAsMavenSaysItWithoutAStackTrace() throws Exception {
    project.handler("hello without quotes");
    try {
      DevProject.BuildResult broken = build("package");

      assertThat(broken.exit()).isNotZero();
      assertThat(broken.output())
          .contains("Greeter.java")
          .contains("COMPILATION ERROR")
          .doesNotContain("\tat ")
          .doesNotContain("Exception:");
    } finally {
      project.handler("\"hello 0\"");
    }
    assertThat(build("package").exit()).as("fixed again").isZero();
  }

  @Test
  void skipTestsStaysWithItsBuildAndAFailingTestIsPrinted() throws Exception {
    project.test("Greeter.GREETING.startsWith(\"goodbye\")");
    try {
      DevProject.BuildResult packaged =
          build(DevProject.WARM_PACKAGE_NO_TESTS.toArray(String[]::new));
      assertThat(packaged.exit()).as(packaged.output()).isZero();
      assertThat(Files.exists(project.jar())).isTrue();

      DevProject.BuildResult tests = build(DevProject.WARM_TESTS.toArray(String[]::new));

      assertThat(tests.exit()).as("-DskipTests of the build before did not stick").isNotZero();
      assertThat(tests.output())
          .contains("GreeterTest")
          .contains("Tests run: 1, Failures: 1")
          .contains("the greeting was hello");
    } finally {
      project.test("Greeter.GREETING.startsWith(\"hello\")");
    }
  }

  @Test
  void closingEndsTheBuildJvm() throws Exception {
    WarmMaven other = WarmMaven.start(maven.home(), project.dir());
    assertThat(other.alive()).isTrue();

    other.close();

    assertThat(other.alive()).isFalse();
  }
}
