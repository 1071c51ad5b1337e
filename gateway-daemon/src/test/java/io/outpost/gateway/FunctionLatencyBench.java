package io.outpost.gateway;

import io.outpost.gateway.config.ConfigLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * Latency a trivial Java function adds end to end, a benchmark (not a test): one publisher sends
 * QoS 0 messages carrying their send time to {@code bench/in/x}; a subscriber receives both the
 * message itself (the path without a function) and the function's copy on {@code bench/out/x} (the
 * path through the function). Added latency = the difference of the two distributions' percentiles.
 * Run with {@code main}; args: rate (msg/s), seconds, and {@code java} (default: {@link
 * EchoHandler} in process), {@code java-process} (the same handler in a child JVM) or {@code
 * python} (the same echo as a pinned process function).
 */
public final class FunctionLatencyBench {

  public static void main(String[] args) throws Exception {
    int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    String mode = args.length > 2 ? args[2] : "java";
    boolean python = mode.equals("python");
    Path dir = Files.createTempDirectory("outpost-fn-bench");
    Path config =
        Files.writeString(
            dir.resolve("outpost.yaml"),
            """
        broker: {listeners: [{host: 127.0.0.1, port: 0}]}
        storage: {dir: %s}
        admin: {enabled: false}
        logging: {level: warn}
        """
                .formatted(dir.resolve("data")));
    Gateway gateway = Gateway.start(new ConfigLoader().load(config), config);
    try {
      run(
          gateway,
          python
              ? echoPython(dir)
              : echoJar(dir, mode.equals("java-process") ? "process" : "in-process"),
          rate,
          seconds);
    } finally {
      gateway.stop(Duration.ofSeconds(10));
      try (var files = Files.walk(dir)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static void run(Gateway gateway, Path function, int rate, int seconds) throws Exception {
    gateway.functions().deploy(function);
    String url = "tcp://127.0.0.1:" + gateway.brokerPorts().get(0);
    int total = rate * seconds;
    long[] direct = new long[total];
    long[] viaFunction = new long[total];
    AtomicInteger directCount = new AtomicInteger();
    AtomicInteger functionCount = new AtomicInteger();
    MqttClient sub = new MqttClient(url, "bench-sub", new MemoryPersistence());
    MqttClient pub = new MqttClient(url, "bench-pub", new MemoryPersistence());
    sub.connect();
    pub.connect();
    IMqttMessageListener record =
        (topic, m) -> {
          long latency = System.nanoTime() - ByteBuffer.wrap(m.getPayload()).getLong();
          if (topic.startsWith("bench/in/")) {
            direct[Math.min(directCount.getAndIncrement(), total - 1)] = latency;
          } else {
            viaFunction[Math.min(functionCount.getAndIncrement(), total - 1)] = latency;
          }
        };
    sub.subscribe(
        new MqttSubscription[] {new MqttSubscription("bench/#", 0)},
        new IMqttMessageListener[] {record});
    long interval = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + i * interval;
      while (System.nanoTime() < due) {
        Thread.onSpinWait();
      }
      pub.publish(
          "bench/in/x", ByteBuffer.allocate(16).putLong(System.nanoTime()).array(), 0, false);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while ((directCount.get() < total || functionCount.get() < total)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    pub.disconnect();
    sub.disconnect();
    pub.close();
    sub.close();
    report(rate, seconds, direct, directCount.get(), viaFunction, functionCount.get());
  }

  private static void report(int rate, int seconds, long[] direct, int nd, long[] viaFn, int nf) {
    // leave out the first second (JIT warm-up) of each distribution
    long[] d = Arrays.copyOfRange(direct, Math.min(rate, nd), nd);
    long[] f = Arrays.copyOfRange(viaFn, Math.min(rate, nf), nf);
    Arrays.sort(d);
    Arrays.sort(f);
    System.out.printf(
        "offered %d msg/s for %d s; received direct %d, via function %d%n", rate, seconds, nd, nf);
    for (double q : new double[] {0.50, 0.99, 0.999}) {
      double pd = d[(int) Math.min(d.length - 1, Math.floor(q * d.length))] / 1e6;
      double pf = f[(int) Math.min(f.length - 1, Math.floor(q * f.length))] / 1e6;
      System.out.printf(
          "p%-5s direct %8.3f ms   via function %8.3f ms   added %8.3f ms%n",
          String.valueOf(q * 100).replace(".0", ""), pd, pf, pf - pd);
    }
  }

  /**
   * A deployable function jar: the echo handler's class plus its descriptor ({@code java}: in
   * process).
   */
  private static Path echoJar(Path dir, String isolation) throws IOException {
    Path jar = dir.resolve("echo.jar");
    String cls = EchoHandler.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("outpost-function.yaml"));
      out.write(
          """
          name: echo
          version: 1.0.0
          runtime: java
          handler: %s
          triggers: ["bench/in/#"]
          lifecycle: pinned
          maxConcurrency: 1
          inputEncoding: binary
          isolation: %s
          """
              .formatted(EchoHandler.class.getName(), isolation)
              .getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
      out.putNextEntry(new JarEntry(cls));
      out.write(EchoHandler.class.getClassLoader().getResourceAsStream(cls).readAllBytes());
      out.closeEntry();
    }
    return jar;
  }

  /** The same echo as a pinned Python process speaking the line protocol. */
  private static Path echoPython(Path dir) throws IOException {
    Path pkg = Files.createDirectories(dir.resolve("echo-python"));
    Files.writeString(
        pkg.resolve("outpost-function.yaml"),
        """
        name: echo
        version: 1.0.0
        runtime: process
        command: [python3, echo.py]
        triggers: ["bench/in/#"]
        lifecycle: pinned
        inputEncoding: binary
        timeoutMillis: 10000
        """);
    Files.writeString(
        pkg.resolve("echo.py"),
        """
        import json, sys
        for line in sys.stdin:
            r = json.loads(line)
            out = "bench/out/" + r["topic"][len("bench/in/"):]
            print(json.dumps({"id": r["id"], "publish": [{"topic": out, "payloadBase64": r["payloadBase64"]}]}),
                  flush=True)
        """);
    return pkg;
  }

  private FunctionLatencyBench() {}
}
