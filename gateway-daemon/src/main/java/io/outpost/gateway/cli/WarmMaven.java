package io.outpost.gateway.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Maven kept warm between the dev command's builds: one build JVM ({@link MavenBuildServer})
 * started once with the user's Maven installation, running each build as {@code mvn ARGS} would in
 * the project directory. Saves a JVM start, Maven's own start and cold JIT on every save; the build
 * itself (the project's pom, plugins, {@code javac}, surefire's forked tests) is unchanged.
 *
 * <p>The build JVM takes the options {@code mvn} would give it ({@code .mvn/jvm.config}, then
 * {@code MAVEN_OPTS}), ends when its standard input closes (also when the dev command dies), and is
 * stopped by {@link #close()}.
 */
final class WarmMaven implements AutoCloseable {

  /** How long the build JVM may take to end after its input closed before it is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  private final MavenHome home;
  private final Process process;
  private final DataOutputStream requests;
  private final DataInputStream replies;
  private final String version;

  private WarmMaven(
      MavenHome home,
      Process process,
      DataOutputStream requests,
      DataInputStream replies,
      String version) {
    this.home = home;
    this.process = process;
    this.requests = requests;
    this.replies = replies;
    this.version = version;
  }

  /**
   * Starts the build JVM for {@code project} and waits until Maven is loaded.
   *
   * @throws IOException when the JVM cannot start or Maven cannot be loaded from {@code home}
   */
  static WarmMaven start(MavenHome home, Path project) throws IOException {
    Path base = multiModuleDirectory(project);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions(base, System.getenv("MAVEN_OPTS")));
    command.add("-cp");
    command.add(codeSource().toString());
    command.add("-Dmaven.home=" + home.dir());
    command.add("-Dmaven.multiModuleProjectDirectory=" + base);
    command.add("-Dlibrary.jansi.path=" + home.dir().resolve("lib/jansi-native"));
    command.add(MavenBuildServer.class.getName());
    command.add(home.dir().toString());
    command.add(project.toString());
    Process process =
        new ProcessBuilder(command)
            .directory(project.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    DataOutputStream requests =
        new DataOutputStream(new BufferedOutputStream(process.getOutputStream()));
    DataInputStream replies =
        new DataInputStream(new BufferedInputStream(process.getInputStream()));
    try {
      boolean loaded = replies.readBoolean();
      String text = replies.readUTF();
      if (!loaded) {
        throw new IOException(text);
      }
      return new WarmMaven(home, process, requests, replies, text);
    } catch (IOException e) {
      stop(process, requests);
      if (e instanceof EOFException) {
        throw new IOException("the build JVM ended before Maven was loaded", e);
      }
      throw e;
    }
  }

  /** The installation this build runs. */
  MavenHome home() {
    return home;
  }

  /** Maven's version as loaded in the build JVM. */
  String version() {
    return version;
  }

  /**
   * Runs one build, {@code mvn ARGS} in the project directory.
   *
   * @throws IOException when the build JVM is gone (it crashed or was killed): start another
   */
  synchronized DevProject.BuildResult run(List<String> args) throws IOException {
    try {
      requests.writeInt(args.size());
      for (String arg : args) {
        requests.writeUTF(arg);
      }
      requests.flush();
      int exit = replies.readInt();
      byte[] output = new byte[replies.readInt()];
      replies.readFully(output);
      return new DevProject.BuildResult(exit, new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IOException(
          "the build JVM ended"
              + (process.isAlive() ? "" : " (exit " + exitValue() + ")")
              + " during the build",
          e);
    }
  }

  /** True while the build JVM runs. */
  boolean alive() {
    return process.isAlive();
  }

  /** Ends the build JVM: closes its input, waits {@link #STOP_GRACE}, then kills it. */
  @Override
  public void close() {
    stop(process, requests);
  }

  private int exitValue() {
    try {
      return process.waitFor(1, TimeUnit.SECONDS) ? process.exitValue() : -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void stop(Process process, DataOutputStream requests) {
    try {
      requests.close();
    } catch (IOException e) {
      // already gone: nothing to tell
    }
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The project's base directory as {@code mvn} finds it: the nearest directory upwards holding
   * {@code .mvn/}, else the project itself.
   */
  static Path multiModuleDirectory(Path project) {
    for (Path dir = project; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(".mvn"))) {
        return dir;
      }
    }
    return project;
  }

  /**
   * The JVM options {@code mvn} would use: {@code .mvn/jvm.config} ({@code #} comments dropped),
   * then {@code MAVEN_OPTS}, split on white space.
   */
  static List<String> jvmOptions(Path base, String mavenOpts) throws IOException {
    List<String> options = new ArrayList<>();
    Path config = base.resolve(".mvn/jvm.config");
    if (Files.isRegularFile(config)) {
      for (String line : Files.readAllLines(config, StandardCharsets.UTF_8)) {
        int comment = line.indexOf('#');
        split(comment < 0 ? line : line.substring(0, comment), options);
      }
    }
    if (mavenOpts != null) {
      split(mavenOpts, options);
    }
    return options;
  }

  private static void split(String text, List<String> into) {
    for (String word : text.trim().split("\\s+")) {
      if (!word.isEmpty()) {
        into.add(word);
      }
    }
  }

  /** Where {@link MavenBuildServer} is loaded from (the CLI's jar, or its classes directory). */
  private static Path codeSource() throws IOException {
    try {
      return Path.of(
          MavenBuildServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException | RuntimeException e) {
      throw new IOException("cannot tell where the outpost classes are", e);
    }
  }
}
