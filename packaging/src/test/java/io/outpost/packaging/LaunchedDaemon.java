package io.outpost.packaging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon as a real child process, its output captured line by line: started through a packaged
 * {@code outpost} launcher script as systemd starts it, or straight from the runnable jar.
 */
final class LaunchedDaemon implements AutoCloseable {

  private static final Pattern READY =
      Pattern.compile("Outpost ready: mqtt://[^:]+:(\\d+).*admin http://[^ ]+:(\\d+)");

  /** The exit code Java reports for a child that SIGKILL ended: 128 + signal 9. */
  static final int KILLED = 128 + 9;

  /** The ports the daemon reported in its ready line. */
  record Endpoints(int mqttPort, int adminPort) {}

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread pump;

  private LaunchedDaemon(Process process) {
    this.process = process;
    this.pump = new Thread(this::pumpOutput, "launched-daemon-output-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Runs {@code launcher ARGS...} in {@code workDir} with extra environment, stderr merged into
   * stdout.
   */
  static LaunchedDaemon start(Path launcher, Path workDir, Map<String, String> env, String... args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    return start(command, workDir, env);
  }

  /** Runs {@code java -jar target/outpost.jar ARGS...} in {@code workDir}. */
  static LaunchedDaemon jar(Path workDir, String... args) throws IOException {
    return jar(workDir, List.of(), args);
  }

  /**
   * Runs {@code java -Xmx128m JVM_OPTIONS... -jar target/outpost.jar ARGS...} in {@code workDir}.
   */
  static LaunchedDaemon jar(Path workDir, List<String> jvmOptions, String... args)
      throws IOException {
    return jar(workDir, jvmOptions, Map.of(), args);
  }

  /** As {@link #jar(Path, List, String...)} with extra environment for the daemon. */
  static LaunchedDaemon jar(
      Path workDir, List<String> jvmOptions, Map<String, String> env, String... args)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m"));
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Djava.io.tmpdir="))) {
      // sqlite-jdbc extracts its native library to java.io.tmpdir and deletes it only at a normal
      // exit: a daemon the
      // test kills would leave it in /tmp; in the test's own directory it goes with the directory
      Path tmp = java.nio.file.Files.createDirectories(workDir.resolve("daemon-tmp"));
      command.add("-Djava.io.tmpdir=" + tmp.toAbsolutePath());
    }
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", Artifacts.JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    return start(command, workDir, env);
  }

  private static LaunchedDaemon start(List<String> command, Path workDir, Map<String, String> env)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    return new LaunchedDaemon(builder.start());
  }

  private void pumpOutput() {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        output.add(line);
      }
    } catch (IOException e) {
      output.add("<output closed: " + e.getMessage() + ">");
    }
  }

  /**
   * Waits for the "Outpost ready" line; fails with the output if it does not come or the process
   * exits.
   */
  Endpoints awaitReady(long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        Matcher m = READY.matcher(line);
        if (m.find()) {
          return new Endpoints(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("daemon did not report ready; output:\n" + output());
  }

  /** The process id: the JVM's own, because the launcher execs it. */
  long pid() {
    return process.pid();
  }

  /**
   * Sends SIGTERM, as systemd does on stop. Through the process handle: {@code Process.destroy()}
   * would also close our end of the output pipe and lose the shutdown log lines.
   */
  void terminate() {
    process.toHandle().destroy();
  }

  /**
   * Sends SIGHUP, as {@code systemctl reload} does (the Java process API has no other signal than
   * TERM and KILL, so through {@code kill -HUP}).
   */
  void hangUp() throws IOException, InterruptedException {
    Tool.succeed("kill", "-HUP", Long.toString(process.pid()));
  }

  /**
   * Sends SIGKILL, as the OOM killer or systemd's stop timeout would: no shutdown hook, no last
   * commit. Through the process handle ({@code kill(pid, SIGKILL)} on Linux), which keeps our end
   * of the output pipe open. Returns the exit code, which is {@link #KILLED} when SIGKILL ended it.
   */
  int kill(long timeoutSeconds) throws InterruptedException {
    signalKill();
    return awaitExit(timeoutSeconds);
  }

  /**
   * Sends SIGKILL and returns at once; safe from any thread, e.g. a client callback that decides
   * the moment.
   */
  void signalKill() {
    process.toHandle().destroyForcibly();
  }

  /**
   * Waits for exit and returns the exit code, or fails with the output if it does not exit in time.
   */
  int awaitExit(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError(
          "daemon did not exit within " + timeoutSeconds + " s; output:\n" + output());
    }
    pump.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  String output() {
    return String.join("\n", output);
  }

  /** The last {@code lines} lines of output, for failure messages of long runs. */
  String outputTail(int lines) {
    List<String> all = List.copyOf(output);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
