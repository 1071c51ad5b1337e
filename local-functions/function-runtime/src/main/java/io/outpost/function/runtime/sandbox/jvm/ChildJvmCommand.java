package io.outpost.function.runtime.sandbox.jvm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.outpost.function.Handler;
import io.outpost.function.runtime.sandbox.ResolvedLimits;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of a Java function's child JVM: the daemon's own {@code java}, a heap derived
 * from the function's memory limit, exit on OutOfMemoryError (so the daemon sees it and restarts
 * the child), the start-up options of a small box, and a class path of only what {@link
 * ChildJvmMain} needs.
 */
public final class ChildJvmCommand {

  private ChildJvmCommand() {}

  /**
   * @param location the function package (jar or directory)
   * @param handler the handler class
   * @param name function name
   * @param version function version
   * @param pinned whether one handler instance serves every invocation (else a new one per
   *     invocation)
   * @param maxConcurrency how many invocations the child runs at once (its handler threads)
   * @param configNames environment variables that form {@code Context.config()}
   * @param limits the function's limits
   */
  public static List<String> of(
      Path location,
      String handler,
      String name,
      String version,
      boolean pinned,
      int maxConcurrency,
      Iterable<String> configNames,
      ResolvedLimits limits) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                javaExecutable(),
                "-Xmx" + limits.heapMiB() + "m",
                "-Xms8m",
                "-XX:+ExitOnOutOfMemoryError",
                "-XX:MaxMetaspaceSize=" + Math.max(32, limits.memoryMiB() / 4) + "m",
                "-XX:ReservedCodeCacheSize=16m",
                "-XX:ActiveProcessorCount=" + Math.max(1, (int) Math.ceil(limits.cpus())),
                "-XX:+UseSerialGC",
                // C1 only: C2's compilations cost a child more CPU in its first minutes than they
                // save, under its CPU quota (docs/benchmarks.md, leader/follower child JVM)
                "-XX:TieredStopAtLevel=1",
                "-Xss512k",
                "-XX:-UsePerfData",
                "-D" + ChildJvmMain.PINNED + "=" + pinned,
                "-D" + ChildJvmMain.MAX_CONCURRENCY + "=" + maxConcurrency,
                "-cp",
                classpath(),
                ChildJvmMain.class.getName(),
                location.toAbsolutePath().toString(),
                handler,
                name,
                version));
    configNames.forEach(cmd::add);
    return cmd;
  }

  /** {@code java} of the JVM the daemon runs on. */
  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * The jars (or class directories) holding the child's classes; one entry in the packaged daemon's
   * single jar.
   */
  static String classpath() {
    Set<String> entries = new LinkedHashSet<>();
    for (Class<?> c :
        List.of(
            ChildJvmMain.class,
            Handler.class,
            ObjectMapper.class,
            JsonFactory.class,
            JsonCreator.class,
            JavaTimeModule.class)) {
      try {
        entries.add(
            Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
      } catch (URISyntaxException | RuntimeException e) {
        throw new IllegalStateException("cannot locate the classes of " + c.getName(), e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }
}
