package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code outpost functions dev} on a Java project, in its own process against a running daemon, as
 * an author runs it: the installed Maven kept warm between builds, each edit rebuilt and
 * redeployed, a compile error and a failing test printed as Maven prints them; and without a Maven
 * installation, the same loop with a new {@code mvn} per build.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FunctionsDevWarmMavenTest {

  /** Builds on a loaded machine take long; no timing is asserted, only that each step happens. */
  private static final Duration STEP = Duration.ofMinutes(3);

  @TempDir Path dir;

  private LocalDaemon daemon;
  private Process dev;
  private final List<String> lines = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startDaemon() throws Exception {
    try {
      MavenHome.locate(null, System.getenv("PATH"));
    } catch (MavenHome.NotFound e) {
      assumeTrue(false, "needs an installed Maven 3: " + e.getMessage());
    }
    daemon = LocalDaemon.start(dir);
  }

  @AfterEach
  void stop() throws Exception {
    if (dev != null && dev.isAlive()) {
      dev.descendants().forEach(ProcessHandle::destroyForcibly);
      dev.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (daemon != null) {
      daemon.close();
    }
  }

  private void startDev(Path project, String... options) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OutpostCommand.class.getName(),
                "functions",
                "dev",
                project.toString(),
                "--no-logs",
                "--debounce",
                "100",
                "--config",
                daemon.config().toString(),
                "--admin-url",
                daemon.adminUrl()));
    command.addAll(List.of(options));
    dev = new ProcessBuilder(command).redirectErrorStream(true).start();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(dev.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                  lines.add(line);
                }
              } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
              }
            },
            "dev-output");
    reader.setDaemon(true);
    reader.start();
  }

  private void awaitLine(String prefix) {
    await()
        .atMost(STEP)
        .pollInterval(Duration.ofMillis(100))
        .alias("a line starting with <" + prefix + ">")
        .until(() -> lines.stream().anyMatch(l -> l.startsWith(prefix)));
  }

  private String version(String name) throws Exception {
    CliRun list = daemon.cli("functions", "list", "--json");
    for (var f : AdminClient.json().readTree(list.out()).path("functions")) {
      if (f.path("name").asText().equals(name)) {
        return f.path("version").asText();
      }
    }
    return null;
  }

  private String invoke(String name) {
    return daemon
        .cli("functions", "invoke", name, "--topic", name + "/in", "--payload", "{}")
        .out();
  }

  private void ctrlCExitsZero() throws Exception {
    new ProcessBuilder("kill", "-INT", Long.toString(dev.pid())).start().waitFor();
    assertThat(dev.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(dev.exitValue()).as(String.join("\n", lines)).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> dev.descendants().findAny().isEmpty());
    assertThat(lines).anyMatch(l -> l.startsWith("stopped watching "));
  }

  @Test
  void keepsMavenWarmRedeploysEachEditAndPrintsCompileErrorsAndFailingTests() throws Exception {
    JavaFunctionProject project =
        JavaFunctionProject.create(dir.resolve("greeter"), dir.resolve("m2"), "greeter");
    startDev(project.dir());

    awaitLine("build: warm Maven ");
    awaitLine("deployed greeter 1.0.0 ");
    awaitLine("tests passed in ");
    assertThat(lines)
        .as("the deploy line says the tests run after it")
        .anyMatch(l -> l.startsWith("deployed greeter 1.0.0 (") && l.contains("tests not run yet"));
    await().atMost(STEP).until(() -> invoke("greeter").contains("hello 0"));

    project.handler("\"hello 1\"");
    project.descriptor("1.0.1");
    awaitLine("deployed greeter 1.0.1 ");
    assertThat(version("greeter")).isEqualTo("1.0.1");
    await().atMost(STEP).until(() -> invoke("greeter").contains("hello 1"));

    project.handler("hello without quotes");
    awaitLine("build failed (mvn -B -q -o package -DskipTests in the warm build JVM, exit 1)");
    assertThat(lines)
        .anyMatch(l -> l.contains("COMPILATION ERROR"))
        .anyMatch(l -> l.contains("Greeter.java"))
        .noneMatch(l -> l.startsWith("\tat "));
    assertThat(version("greeter")).as("a broken edit keeps the running version").isEqualTo("1.0.1");

    project.test("Greeter.GREETING.startsWith(\"goodbye\")");
    project.handler("\"hello 2\"");
    project.descriptor("1.0.2");
    awaitLine("deployed greeter 1.0.2 ");
    awaitLine("tests FAILED (mvn surefire:test, exit 1)");
    assertThat(lines)
        .anyMatch(l -> l.contains("Tests run: 1, Failures: 1"))
        .anyMatch(l -> l.contains("the greeting was hello 2"));

    ctrlCExitsZero();
  }

  @Test
  void withoutAMavenInstallationEachBuildRunsANewMvn() throws Exception {
    JavaFunctionProject project =
        JavaFunctionProject.create(dir.resolve("greeter"), dir.resolve("m2"), "greeter");
    startDev(project.dir(), "--maven-home", dir.resolve("no-maven").toString());

    awaitLine("build: mvn -q -o package, a new Maven per build (no warm build: ");
    awaitLine("deployed greeter 1.0.0 ");
    assertThat(lines).noneMatch(l -> l.startsWith("tests passed"));
    assertThat(version("greeter")).isEqualTo("1.0.0");

    ctrlCExitsZero();
  }
}
