package io.outpost.packaging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged {@code outpost.jar} run as a real child process, its output captured line by line. */
final class DaemonProcess implements AutoCloseable {

  static final Path JAR = Path.of("target", "outpost.jar").toAbsolutePath();
  private static final Pattern READY = Pattern.compile("Outpost ready: mqtt://[^:]+:(\\d+)");

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final Thread pump;

  private DaemonProcess(Process process) {
    this.process = process;
    this.pump = new Thread(this::pumpOutput, "daemon-output-" + process.pid());
    pump.setDaemon(true);
    pump.start();
  }

  /** Starts {@code java -jar outpost.jar ARGS...} in {@code workDir}, stderr merged into stdout. */
  static DaemonProcess start(Path workDir, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx128m", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    return new DaemonProcess(p);
  }

  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void pumpOutput() {
    try (BufferedReader r = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        output.add(line);
      }
    } catch (IOException e) {
      output.add("<output closed: " + e.getMessage() + ">");
    }
  }

  /** Waits for the "Outpost ready" line and returns the first MQTT port it names; fails with the output otherwise. */
  int awaitReadyPort(long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    while (System.nanoTime() < deadline) {
      for (String line : output) {
        Matcher m = READY.matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (!process.isAlive()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("daemon did not report ready; output:\n" + output());
  }

  /** Waits for exit and returns the exit code, or fails with the output if it does not exit in time. */
  int awaitExit(long timeoutSeconds) throws InterruptedException {
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      throw new AssertionError("daemon did not exit within " + timeoutSeconds + " s; output:\n" + output());
    }
    pump.join(TimeUnit.SECONDS.toMillis(5));
    return process.exitValue();
  }

  /** Sends SIGTERM (through the handle: {@code Process.destroy()} would also close our end of its output). */
  void terminate() {
    process.toHandle().destroy();
  }

  String output() {
    return String.join("\n", output);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
