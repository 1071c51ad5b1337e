package io.outpost.function.runtime;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.deploy.FunctionStore;
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
 * Benchmark, not a test (surefire ignores it): the wasm runtime's invocations/s for a trivial
 * module ({@code noop.wasm}: one empty reply) on warm instances, and its cold start (trigger to
 * result after scaling to zero, which drops the warm instances but keeps the compiled module).
 * Optional argument: invocations to time (default 20,000). Run with:
 *
 * <pre>
 * mvn -q -o -pl local-functions/function-runtime test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test
 * java -cp local-functions/function-runtime/target/classes:local-functions/function-runtime/target/test-classes:$(cat \
 *     local-functions/function-runtime/target/bench.cp) io.outpost.function.runtime.WasmBench
 * </pre>
 */
public final class WasmBench {

  private static final int COLD_STARTS = 20;
  private static final long IDLE_MILLIS = 50;

  private WasmBench() {}

  public static void main(String[] args) throws Exception {
    int invocations = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    Path tmp = Files.createTempDirectory("outpost-wasm-bench");
    FunctionRuntime runtime =
        new FunctionRuntime(
            FunctionRuntimeOptions.defaults(),
            tmp.resolve("functions"),
            m -> CompletableFuture.completedFuture(null),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    try {
      runtime.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
      int workers = Runtime.getRuntime().availableProcessors();
      runtime.deploy(
          WasmRuntimeTest.wasmPackage(
              tmp,
              "noop",
              "noop.wasm",
              "inputEncoding: binary\nmaxQueued: 100000\nmaxConcurrency: " + workers));
      throughput(runtime, "noop", invocations / 4, 256); // warm-up
      double perSecond = throughput(runtime, "noop", invocations, 256);
      System.out.printf(
          "wasm on-demand throughput: %,.0f invocations/s (window 256, %d workers)%n",
          perSecond, workers);

      runtime.deploy(
          WasmRuntimeTest.wasmPackage(
              tmp,
              "cold",
              "noop.wasm",
              "inputEncoding: binary\nidleTimeoutMillis: " + IDLE_MILLIS));
      long[] cold = new long[COLD_STARTS];
      for (int i = 0; i < COLD_STARTS; i++) {
        while (runtime.get("cold").orElseThrow().state() != FunctionState.IDLE) {
          Thread.sleep(5);
        }
        long t0 = System.nanoTime();
        InvocationResult r =
            runtime.invoke("cold", message()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        cold[i] = System.nanoTime() - t0;
        if (r.outcome() != Outcome.OK) {
          throw new IllegalStateException("cold start " + i + ": " + r);
        }
      }
      Arrays.sort(cold);
      System.out.printf(
          "wasm cold start (idle -> result): p50 %.1f ms  max %.1f ms (%d starts)%n",
          cold[COLD_STARTS / 2] / 1e6, cold[COLD_STARTS - 1] / 1e6, COLD_STARTS);
    } finally {
      runtime.close();
      FunctionStore.deleteTree(tmp);
    }
  }

  private static InboundMessage message() {
    return new InboundMessage(
        "bench/in", "x".getBytes(StandardCharsets.UTF_8), 0, List.of(), "bench", Instant.now());
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
}
