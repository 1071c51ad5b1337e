package io.outpost.function.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.deploy.FunctionStore;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.testfunctions.Echo;
import io.outpost.function.runtime.testfunctions.Noop;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark, not a test (surefire ignores it): invocations/s and per-invocation overhead of the
 * runtime for a trivial Java handler and for the Python process runtime (pinned). Run with:
 *
 * <pre>
 * mvn -q -o -pl local-functions/function-runtime test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp local-functions/function-runtime/target/classes:local-functions/function-runtime/target/test-classes:$(cat \
 *     local-functions/function-runtime/target/bench.cp) io.outpost.function.runtime.RuntimeBench
 * </pre>
 *
 * With the argument {@code java-process} it measures only a Java handler in a child JVM ({@code
 * isolation: process}), with {@code java-in-process} only the in-process Java rows, with {@code
 * python} only the Python process runtime: one request at a time and with {@code maxConcurrency: 8}
 * (pipelined: the sequential handler.py takes its requests from the pipe one after the other).
 */
public final class RuntimeBench {

  private static final int JAVA_INVOCATIONS = 2_000_000;
  private static final int JAVA_WINDOW = 4_096;
  private static final int LATENCY_SAMPLES = 50_000;
  private static final int PROCESS_INVOCATIONS = 20_000;

  private RuntimeBench() {}

  public static void main(String[] args) throws Exception {
    Path tmp = Files.createTempDirectory("outpost-bench");
    FunctionRuntime runtime =
        new FunctionRuntime(
            FunctionRuntimeOptions.defaults(),
            tmp.resolve("functions"),
            m -> CompletableFuture.completedFuture(null),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    try {
      runtime.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (args.length > 0 && args[0].equals("java-process")) {
        javaProcess(runtime, tmp);
        return;
      }
      if (args.length > 0 && args[0].equals("python")) {
        python(runtime, tmp);
        return;
      }
      for (String lifecycle : List.of("on-demand", "pinned")) {
        String name = "noop-" + lifecycle;
        runtime.deploy(
            TestPackages.jar(
                tmp,
                "name: "
                    + name
                    + "\nversion: 1\nhandler: "
                    + Noop.class.getName()
                    + "\nlifecycle: "
                    + lifecycle
                    + "\ninputEncoding: binary\nisolation: in-process\nmaxQueued: 100000\n",
                Noop.class));
        throughput(runtime, name, JAVA_INVOCATIONS / 4, JAVA_WINDOW); // warm-up
        double perSecond = throughput(runtime, name, JAVA_INVOCATIONS, JAVA_WINDOW);
        System.out.printf(
            "java %-9s throughput: %,.0f invocations/s (window %d, 1 worker)%n",
            lifecycle, perSecond, JAVA_WINDOW);
        latency(runtime, name, LATENCY_SAMPLES, "java " + lifecycle);
      }
      if (args.length > 0 && args[0].equals("java-in-process")) {
        return;
      }
      python(runtime, tmp);
    } finally {
      runtime.close();
      FunctionStore.deleteTree(tmp);
    }
  }

  /** The Python test handler, pinned: one request at a time, then 8 in flight. */
  private static void python(FunctionRuntime runtime, Path tmp) throws Exception {
    for (int inFlight : new int[] {1, 8}) {
      String name = "py" + inFlight;
      Path dir = Files.createDirectories(tmp.resolve(name));
      try (InputStream in =
          RuntimeBench.class.getResourceAsStream("/process-function/handler.py")) {
        Files.copy(in, dir.resolve("handler.py"));
      }
      Files.writeString(
          dir.resolve(FunctionDescriptor.FILE_NAME),
          "name: "
              + name
              + "\nversion: 1\nruntime: process\n"
              + "command: [python3, handler.py]\nlifecycle: pinned\nmaxQueued: 100000\n"
              + (inFlight > 1 ? "maxConcurrency: " + inFlight + "\n" : ""));
      runtime.deploy(dir);
      latency(runtime, name, PROCESS_INVOCATIONS / 10, "python pinned (warm-up)");
      double perSecond = throughput(runtime, name, PROCESS_INVOCATIONS, 64);
      System.out.printf(
          "python pinned throughput: %,.0f invocations/s (window 64, maxConcurrency %d)%n",
          perSecond, inFlight);
      latency(runtime, name, PROCESS_INVOCATIONS / 4, "python pinned");
    }
  }

  /**
   * The trivial handler in a child JVM ({@code isolation: process}): start-up, throughput with the
   * CPU time the child JVM spent per invocation meanwhile, round trip; then the echo handler (one
   * publication back) with 8 in flight, as the daemon benchmark runs it.
   */
  private static void javaProcess(FunctionRuntime runtime, Path tmp) throws Exception {
    record Run(Class<?> handler, int inFlight) {}
    for (Run run :
        List.of(new Run(Noop.class, 4), new Run(Noop.class, 1), new Run(Echo.class, 8))) {
      int inFlight = run.inFlight();
      String label = run.handler().getSimpleName().toLowerCase(java.util.Locale.ROOT);
      String name = label + "-jvm" + inFlight;
      long t0 = System.nanoTime();
      runtime.deploy(
          TestPackages.jar(
              tmp,
              "name: "
                  + name
                  + "\nversion: 1\nhandler: "
                  + run.handler().getName()
                  + "\nlifecycle: pinned\ninputEncoding: binary\nisolation: process\nmaxConcurrency: "
                  + inFlight
                  + "\nmaxQueued: 100000\n",
              run.handler()));
      System.out.printf(
          "java process start (deploy until the child JVM loaded the handler): %.0f ms%n",
          (System.nanoTime() - t0) / 1e6);
      latency(runtime, name, PROCESS_INVOCATIONS / 10, "java process (warm-up)");
      long cpuBefore = childCpuMillis();
      double perSecond = throughput(runtime, name, PROCESS_INVOCATIONS, 64);
      long cpuMillis = childCpuMillis() - cpuBefore;
      System.out.printf(
          "java process %s throughput: %,.0f invocations/s (window 64, maxConcurrency %d);"
              + " child JVM CPU %.1f us per invocation%n",
          label, perSecond, inFlight, cpuMillis * 1e3 / PROCESS_INVOCATIONS);
      latency(runtime, name, PROCESS_INVOCATIONS / 4, "java process pinned");
      runtime.remove(name);
    }
  }

  /**
   * User plus system CPU time of this JVM's child processes so far ({@code /proc/<pid>/stat}, clock
   * ticks of 10 ms, the Linux default), 0 where there is no /proc.
   */
  private static long childCpuMillis() {
    long ticks = 0;
    for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
      try {
        String stat = Files.readString(Path.of("/proc", String.valueOf(h.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      } catch (java.io.IOException | RuntimeException e) {
        // the process ended meanwhile, or no /proc: it counts nothing
      }
    }
    return ticks * 10;
  }

  private static InboundMessage message() {
    return new InboundMessage(
        "bench/in",
        "{\"mode\":\"echo\"}".getBytes(StandardCharsets.UTF_8),
        0,
        List.of(),
        "bench",
        Instant.now());
  }

  /** Open loop with at most {@code window} outstanding invocations. */
  private static double throughput(FunctionRuntime runtime, String name, int count, int window)
      throws Exception {
    Semaphore permits = new Semaphore(window);
    InboundMessage msg = message();
    long[] failures = {0};
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      permits.acquire();
      runtime
          .invoke(name, msg)
          .whenComplete(
              (r, e) -> {
                if (e != null || r.outcome() != Outcome.OK) {
                  synchronized (failures) {
                    failures[0]++;
                  }
                }
                permits.release();
              });
    }
    permits.acquire(window);
    long took = System.nanoTime() - start;
    if (failures[0] > 0) {
      throw new IllegalStateException(failures[0] + " invocations of " + name + " did not succeed");
    }
    return count / (took / 1e9);
  }

  /** Closed loop, one invocation at a time: the runtime's per-invocation overhead. */
  private static void latency(FunctionRuntime runtime, String name, int count, String label)
      throws Exception {
    long[] samples = new long[count];
    InboundMessage msg = message();
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      InvocationResult r =
          runtime.invoke(name, msg).toCompletableFuture().get(10, TimeUnit.SECONDS);
      samples[i] = System.nanoTime() - t0;
      if (r.outcome() != Outcome.OK) {
        throw new IllegalStateException(label + ": " + r);
      }
    }
    Arrays.sort(samples);
    System.out.printf(
        "%-24s round trip: p50 %6.1f us  p99 %7.1f us  p99.9 %7.1f us  (%d sequential)%n",
        label,
        samples[count / 2] / 1e3,
        samples[(int) (count * 0.99)] / 1e3,
        samples[(int) (count * 0.999)] / 1e3,
        count);
  }
}
