package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.admin.PackageZip;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code outpost functions dev DIR}: watch mode against the running local daemon. Builds and
 * deploys the project once, then again after every edit (debounced; build output is not watched),
 * printing build and test failures, each deploy's result and, while it runs, the function's log.
 * Ctrl-C ends it with exit 0.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description =
        "Watch a function project and redeploy it to the running daemon on every change: Java"
            + " projects are built with their own build first (the installed Maven, kept warm"
            + " between builds; mvn -q -o package without one), Python and Wasm projects deploy"
            + " their directory. Prints build and test failures and the function's log. Ctrl-C"
            + " stops.")
final class FunctionsDevCommand extends AdminCommand {

  @Parameters(
      paramLabel = "DIR",
      description = "The function project (default: .).",
      arity = "0..1")
  Path dir = Path.of(".");

  @Option(
      names = "--build",
      paramLabel = "CMD",
      description =
          "Build command, run with sh in DIR before each deploy (default for a pom.xml project:"
              + " mvn -q -o package, or mvn -q package if offline cannot resolve).")
  String build;

  @Option(
      names = "--debounce",
      paramLabel = "MILLIS",
      description = "Wait until the files stayed unchanged this long (default: ${DEFAULT-VALUE}).")
  long debounceMillis = 300;

  @Option(names = "--no-logs", description = "Do not stream the function's log.")
  boolean noLogs;

  @Option(
      names = "--maven-home",
      paramLabel = "DIR",
      description =
          "The Maven installation to keep warm between builds (default: the one behind the mvn on"
              + " PATH).")
  Path mavenHome;

  @Option(
      names = "--tests-first",
      description =
          "With the warm build, run the tests before the deploy (a failing test stops it), as mvn"
              + " package does. Default: deploy the packaged jar first, then run the tests and"
              + " print their failures.")
  boolean testsFirst;

  private final CountDownLatch stop = new CountDownLatch(1);
  private LogFollower logs;

  @Override
  int execute() throws AdminClient.AdminException {
    Path project = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(project)) {
      err().println("outpost: no such directory: " + dir);
      return ExitCodes.NOT_FOUND;
    }
    DevProject p = new DevProject(project, build);
    if (!p.isMaven() && !Files.isRegularFile(project.resolve(DevProject.DESCRIPTOR))) {
      err()
          .println(
              "outpost: "
                  + dir
                  + " has neither a pom.xml nor an "
                  + DevProject.DESCRIPTOR
                  + " file");
      return ExitCodes.NOT_FOUND;
    }
    installStopSignals();
    try (p;
        ProjectWatcher watcher =
            new ProjectWatcher(project, Duration.ofMillis(Math.max(0, debounceMillis)))) {
      out().println("watching " + project + " (Ctrl-C to stop)");
      chooseBuild(p, project);
      cycle(p, null);
      while (stop.getCount() > 0) {
        Path changed = watcher.awaitChange(Duration.ofMillis(200));
        if (changed != null && stop.getCount() > 0) {
          cycle(p, changed);
        }
      }
    } catch (IOException e) {
      err().println("outpost: cannot watch " + dir + ": " + e.getMessage());
      return ExitCodes.NOT_FOUND;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (logs != null) {
        logs.stop();
      }
    }
    out().println("stopped watching " + project);
    return ExitCodes.OK;
  }

  /**
   * Keeps a Maven project's build warm when a Maven installation is found and {@code --build} was
   * not given, and says which build runs (the benchmark reads this line).
   */
  private void chooseBuild(DevProject p, Path project) {
    if (!p.isMaven()) {
      return;
    }
    if (build != null) {
      out().println("build: " + build + " (--build), a new process per build");
      return;
    }
    String why;
    try {
      MavenHome home = MavenHome.locate(mavenHome, System.getenv("PATH"));
      WarmMaven warm = WarmMaven.start(home, project);
      p.useWarmMaven(warm, !testsFirst);
      out()
          .println(
              "build: warm Maven "
                  + warm.version()
                  + " from "
                  + home.dir()
                  + ", kept running between builds ("
                  + p.buildCommand()
                  + (p.testsAfterDeploy()
                      ? "; the tests run after each deploy: mvn "
                          + String.join(" ", DevProject.WARM_TESTS)
                      : "")
                  + ")");
      return;
    } catch (MavenHome.NotFound e) {
      why = e.getMessage();
    } catch (IOException e) {
      why = "cannot start it: " + e.getMessage();
    }
    out()
        .println(
            "build: " + p.buildCommand() + ", a new Maven per build (no warm build: " + why + ")");
  }

  /** One rebuild and redeploy; failures are printed and the watch goes on. */
  private void cycle(DevProject p, Path changed) throws InterruptedException {
    long start = System.nanoTime();
    if (changed != null) {
      out().println("changed: " + changed);
    }
    try {
      DevProject.BuildResult built = p.build();
      if (built != null && !built.ok()) {
        out().print(built.output());
        out()
            .println(
                "build failed (" + p.buildCommand() + ", exit " + built.exit() + "); not deployed");
        return;
      }
      deploy(p, start);
    } catch (IOException e) {
      out().println("not deployed: " + e.getMessage());
      return;
    }
    if (p.testsAfterDeploy()) {
      runTestsAfterDeploy(p);
    }
  }

  /** Deploys what the build made; a refused deploy is printed and the watch goes on. */
  private void deploy(DevProject p, long start) throws IOException {
    try {
      Path pkg = p.deployable();
      long buildMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      JsonNode result =
          Files.isDirectory(pkg)
              ? admin.post("api/functions", PackageZip.zip(pkg), "application/zip")
              : admin.post("api/functions", Files.readAllBytes(pkg), "application/java-archive");
      long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      String name = result.path("name").asText();
      String built =
          p.buildCommand() == null
              ? ""
              : " (build "
                  + buildMillis
                  + " ms"
                  + (p.testsAfterDeploy() ? "; tests not run yet, they run now" : "")
                  + ")";
      out()
          .println(
              "deployed "
                  + name
                  + " "
                  + result.path("version").asText()
                  + " ("
                  + result.path("state").asText()
                  + ") in "
                  + total
                  + " ms"
                  + built);
      followLogs(name);
    } catch (AdminClient.AdminException e) {
      out().println("deploy failed: " + e.getMessage());
    }
  }

  /** The warm build's second half: the tests of what was just deployed, failures printed. */
  private void runTestsAfterDeploy(DevProject p) {
    long start = System.nanoTime();
    try {
      DevProject.BuildResult tests = p.test();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (tests == null) {
        return;
      }
      if (tests.ok()) {
        out().println("tests passed in " + millis + " ms");
      } else {
        out().print(tests.output());
        out()
            .println(
                "tests FAILED (mvn "
                    + String.join(" ", DevProject.WARM_TESTS)
                    + ", exit "
                    + tests.exit()
                    + "): the version deployed above does not pass its tests");
      }
    } catch (IOException e) {
      out().println("tests not run: " + e.getMessage());
    }
  }

  private void followLogs(String name) {
    if (noLogs || (logs != null && logs.follows(name))) {
      return;
    }
    if (logs != null) {
      logs.stop();
    }
    logs = new LogFollower(admin, name, out());
    logs.start();
  }

  private void installStopSignals() {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), signal -> stop.countDown());
      } catch (IllegalArgumentException e) {
        // the signal is not available here (another JVM option took it): Ctrl-C ends the JVM
      }
    }
  }

  /** Streams {@code GET /api/functions/NAME/logs?follow=true} to the terminal on its own thread. */
  static final class LogFollower {
    private final AdminClient admin;
    private final String name;
    private final java.io.PrintWriter out;
    private volatile boolean stopped;
    private Thread thread;

    LogFollower(AdminClient admin, String name, java.io.PrintWriter out) {
      this.admin = admin;
      this.name = name;
      this.out = out;
    }

    boolean follows(String function) {
      return name.equals(function) && thread != null && thread.isAlive();
    }

    void start() {
      thread = new Thread(this::follow, "outpost-dev-logs");
      thread.setDaemon(true); // a blocked read must not keep the CLI alive after Ctrl-C
      thread.start();
    }

    void stop() {
      stopped = true;
      thread.interrupt();
    }

    private void follow() {
      Writer into =
          new Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
              if (!stopped) {
                out.write(buf, off, len);
                out.flush();
              }
            }

            @Override
            public void flush() {
              out.flush();
            }

            @Override
            public void close() {
              // the terminal stays open
            }
          };
      try {
        admin.download("api/functions/" + AdminClient.segment(name) + "/logs?follow=true", into);
      } catch (AdminClient.AdminException e) {
        if (!stopped) {
          out.println(
              e.exitCode == ExitCodes.NOT_FOUND
                  ? "(this daemon has no function log endpoint; showing deploy results only)"
                  : "(function log stream ended: " + e.getMessage() + ")");
        }
      } catch (IOException e) {
        if (!stopped) {
          out.println("(function log stream ended: " + e.getMessage() + ")");
        }
      }
    }
  }
}
