package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.testfunctions.Gate;
import io.outpost.function.runtime.testfunctions.Rendezvous;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several invocations in flight in one child ({@code maxConcurrency} > 1) against real children: a
 * Python program that answers only once several requests are in flight, in reverse order, and a
 * Java handler in a child JVM that waits until several run at once. Results are matched by id; a
 * timeout or a crash fails every invocation in flight, counted, and the child is restarted; log
 * lines land under their own invocation.
 */
@Timeout(120)
class MultiplexedProcessIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The timeout tests: every invocation has this timeout, and the later ones start {@link
   * #LATER_START_MILLIS} after the first. The first times out and kills the child; the margins on
   * either side (the later ones must reach the child before that, and be failed by the kill well
   * before their own timeouts) hold on a loaded machine.
   */
  private static final long SHARED_TIMEOUT_MILLIS = 10_000;

  private static final long LATER_START_MILLIS = 5_000;

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults()
                .withRestartBackoff(Duration.ofMillis(50))
                .withBroken(20, Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    f.close();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }

  /** The multiplex.py package; {@code extra} is added to its descriptor. */
  private Path muxPackage(String hold, String timeoutMillis, String extra) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkg-" + System.nanoTime()));
    try (InputStream in = getClass().getResourceAsStream("/process-function/multiplex.py")) {
      Files.copy(in, dir.resolve("multiplex.py"));
    }
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        String.join(
            "\n",
            "name: mux",
            "version: 1",
            "runtime: process",
            "command: [python3, multiplex.py]",
            "lifecycle: pinned",
            "timeoutMillis: " + timeoutMillis,
            "environment: {HOLD: '" + hold + "'}",
            extra,
            ""));
    return dir;
  }

  private CompletableFuture<InvocationResult> invokeAsync(String payload) {
    return f.runtime.invoke("mux", RuntimeFixture.message("in/mux", payload)).toCompletableFuture();
  }

  private static InvocationResult get(CompletableFuture<InvocationResult> r) throws Exception {
    return r.get(RuntimeFixture.WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private List<String> stderrLines() throws Exception {
    return f.runtime.logs().read("mux", null, 1_000).get(10, TimeUnit.SECONDS).stream()
        .filter(l -> l.source() == LogSource.STDERR)
        .map(FunctionLogRecord::message)
        .toList();
  }

  private List<FunctionLogRecord> linesOf(String function, String invocationId) throws Exception {
    return f.runtime.logs().read(function, null, 1_000).get(10, TimeUnit.SECONDS).stream()
        .filter(l -> invocationId.equals(l.invocationId()))
        .toList();
  }

  private static JsonNode output(InvocationResult r) throws Exception {
    return JSON.readTree(r.outputs().get(0).payload());
  }

  @Test
  void severalRequestsInFlightCompleteOutOfOrderEachWithItsOwnResultAndLogLines() throws Exception {
    f.runtime.deploy(muxPackage("4", "20000", "maxConcurrency: 4"));
    List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      calls.add(invokeAsync("{\"mode\":\"hold\",\"k\":" + k + "}"));
    }

    for (int k = 0; k < 4; k++) {
      InvocationResult r = get(calls.get(k));
      assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
      JsonNode out = output(r);
      assertThat(out.get("k").asInt()).as("the result of its own request").isEqualTo(k);
      assertThat(out.get("inFlight").asInt()).isEqualTo(4);
      assertThat(out.get("position").asInt())
          .as("answered in the reverse order of arrival")
          .isEqualTo(3 - out.get("arrival").asInt());
      assertThat(linesOf("mux", r.invocationId()))
          .filteredOn(l -> l.source() == LogSource.HANDLER)
          .extracting(FunctionLogRecord::message)
          .containsExactly("answering " + k + " for " + r.invocationId());
    }
  }

  @Test
  void aMultiplexedChildsResultIsPublishedByTheThreadThatReadItWithoutWaitingForTheWorker()
      throws Exception {
    f.runtime.deploy(muxPackage("1", "20000", "maxConcurrency: 2"));

    for (int k = 0; k < 3; k++) {
      InvocationResult r = get(invokeAsync("{\"mode\":\"hold\",\"k\":" + k + "}"));
      assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
      assertThat(output(r).get("k").asInt()).isEqualTo(k);
    }

    assertThat(f.host.on("mux/out")).hasSize(3);
    assertThat(f.host.publishingThreads)
        .as("handed to the host by the child's stdout reader, not by a woken worker")
        .hasSize(3)
        .allSatisfy(name -> assertThat(name).endsWith("-stdout"));
  }

  @Test
  void aMultiplexedChildGetsItsRequestFromTheSubmittingThreadWhileASlotIsFree() throws Exception {
    f.runtime.deploy(muxPackage("1", "20000", "maxConcurrency: 2"));
    // once the version takes traffic, calls go at once
    await()
        .atMost(RuntimeFixture.WAIT)
        .until(
            () -> {
              assertThat(get(invokeAsync("{\"mode\":\"hold\",\"k\":0}")).outcome())
                  .isEqualTo(Outcome.OK);
              return requests("submitter") > 0;
            });
    double atOnce = requests("submitter");
    double byWorker = requests("worker");

    for (int k = 1; k <= 3; k++) {
      InvocationResult r = get(invokeAsync("{\"mode\":\"hold\",\"k\":" + k + "}"));
      assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
      assertThat(output(r).get("k").asInt()).isEqualTo(k);
    }
    assertThat(requests("submitter") - atOnce).isEqualTo(3);
    // a request too large to be sure of the pipe's room goes through a worker
    String pad = "x".repeat(3_000);
    InvocationResult r = get(invokeAsync("{\"mode\":\"hold\",\"k\":4,\"pad\":\"" + pad + "\"}"));
    assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
    assertThat(output(r).get("k").asInt()).isEqualTo(4);
    assertThat(requests("submitter") - atOnce).isEqualTo(3);
    assertThat(requests("worker") - byWorker).isEqualTo(1);
    assertThat(f.host.publishingThreads).allSatisfy(name -> assertThat(name).endsWith("-stdout"));
  }

  @Test
  void aChildThatStopsReadingNeverBlocksTheThreadThatInvokes() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("deaf"));
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        String.join(
            "\n",
            "name: deaf",
            "version: 1",
            "runtime: process",
            "command: [python3, -c, 'import time; time.sleep(600)']",
            "lifecycle: pinned",
            "timeoutMillis: 60000",
            "inputEncoding: binary",
            "maxConcurrency: 30",
            ""));
    f.runtime.deploy(dir);
    // 30 requests of ~3 KB: more than the child's stdin pipe holds (64 KiB), none read
    String payload = "y".repeat(2_000);
    List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
    Thread invoker =
        new Thread(
            () -> {
              for (int k = 0; k < 30; k++) {
                calls.add(
                    f.runtime
                        .invoke("deaf", RuntimeFixture.message("in/deaf", payload))
                        .toCompletableFuture());
              }
            },
            "deaf-invoker");
    invoker.start();
    invoker.join(RuntimeFixture.WAIT.toMillis());

    assertThat(invoker.isAlive()).as("the invoking thread returned").isFalse();
    assertThat(calls).hasSize(30).allSatisfy(c -> assertThat(c).isNotDone());
    assertThat(requests("deaf", "submitter"))
        .as("only what the pipe surely holds is written by the invoking thread")
        .isEqualTo(1);
  }

  private double requests(String sentBy) {
    return requests("mux", sentBy);
  }

  private double requests(String function, String sentBy) {
    return f.registry
        .get("outpost.function.process.requests")
        .tag("function", function)
        .tag("sent.by", sentBy)
        .counter()
        .count();
  }

  @Test
  void aPlainProcessFunctionIsSentOneRequestAtATime() throws Exception {
    f.runtime.deploy(muxPackage("1", "20000", ""));
    List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
    for (int k = 0; k < 6; k++) {
      calls.add(invokeAsync("{\"mode\":\"peek\"}"));
    }

    for (CompletableFuture<InvocationResult> call : calls) {
      InvocationResult r = get(call);
      assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
      assertThat(output(r).get("waiting").asBoolean())
          .as("no second request while one is in flight")
          .isFalse();
    }
    assertThat(f.host.publishingThreads)
        .as("published by the worker once the stderr written before the result was read")
        .hasSize(6)
        .allSatisfy(
            name ->
                assertThat(name)
                    .startsWith("outpost-fn-mux@")
                    .doesNotEndWith("-stdout")
                    .doesNotEndWith("-stderr"));
  }

  @Test
  void aTimeoutInAMultiplexedChildKillsItFailingTheOthersInFlightAsCountedErrors()
      throws Exception {
    f.runtime.deploy(muxPackage("10", String.valueOf(SHARED_TIMEOUT_MILLIS), "maxConcurrency: 3"));
    long firstPid = childPid();
    CompletableFuture<InvocationResult> first = invokeAsync("{\"k\":\"a\"}");
    await().atMost(RuntimeFixture.WAIT).until(() -> stderrLines().contains("holding a"));
    // the others start well after the first, so only the first reaches its timeout
    Thread.sleep(LATER_START_MILLIS);
    CompletableFuture<InvocationResult> second = invokeAsync("{\"k\":\"b\"}");
    CompletableFuture<InvocationResult> third = invokeAsync("{\"k\":\"c\"}");
    await()
        .atMost(RuntimeFixture.WAIT)
        .until(() -> stderrLines().containsAll(List.of("holding b", "holding c")));

    assertThat(get(first).outcome()).isEqualTo(Outcome.TIMEOUT);
    for (InvocationResult other : List.of(get(second), get(third))) {
      assertThat(other.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(other.error()).contains("another invocation in flight in it timed out");
    }
    assertThat(f.count("mux", Outcome.TIMEOUT)).isEqualTo(1.0);
    assertThat(f.count("mux", Outcome.ERROR)).isEqualTo(2.0);
    assertRestartedWithANewChild(firstPid);
  }

  @Test
  void aCrashWithSeveralInFlightFailsThemAllCountedAndTheChildIsRestarted() throws Exception {
    f.runtime.deploy(muxPackage("10", "20000", "maxConcurrency: 3"));
    long firstPid = childPid();
    CompletableFuture<InvocationResult> a = invokeAsync("{\"k\":\"a\"}");
    CompletableFuture<InvocationResult> b = invokeAsync("{\"k\":\"b\"}");
    await()
        .atMost(RuntimeFixture.WAIT)
        .until(() -> stderrLines().containsAll(List.of("holding a", "holding b")));

    CompletableFuture<InvocationResult> crash = invokeAsync("{\"mode\":\"crash\"}");

    for (InvocationResult r : List.of(get(a), get(b), get(crash))) {
      assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(r.error()).contains("exited with code 3");
    }
    assertThat(f.count("mux", Outcome.ERROR)).isEqualTo(3.0);
    assertRestartedWithANewChild(firstPid);
  }

  @Test
  void aChildJvmRunsUpToMaxConcurrencyAtOnceAndItsLogLinesCarryTheirInvocation() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "meet",
                "1",
                Rendezvous.class,
                "isolation: process\nlifecycle: pinned\nmaxConcurrency: 4\ntimeoutMillis: 30000\n"
                    + "environment: {parties: '4'}\n"),
            Rendezvous.class));
    List<CompletableFuture<InvocationResult>> calls = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      calls.add(
          f.runtime
              .invoke("meet", RuntimeFixture.message("in/meet/x", "p" + k))
              .toCompletableFuture());
    }

    for (int k = 0; k < 4; k++) {
      InvocationResult r = get(calls.get(k));
      assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
      assertThat(r.outputs().get(0).topic()).isEqualTo("rendezvous/p" + k);
      assertThat(r.outputs().get(0).payloadAsString()).as("all four ran at once").isEqualTo("true");
      assertThat(linesOf("meet", r.invocationId()))
          .extracting(FunctionLogRecord::source, FunctionLogRecord::message)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(LogSource.HANDLER, "arrived p" + k),
              org.assertj.core.groups.Tuple.tuple(LogSource.HANDLER, "leaving p" + k));
    }
  }

  /** The Gate handler in a child JVM; its gate file is never created. */
  private void deployGateJvm(String extra) throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "gatej",
                "1",
                Gate.class,
                "isolation: process\nlifecycle: pinned\nmaxConcurrency: 3\n"
                    + "environment: {gate: '"
                    + tmp.resolve("never")
                    + "'}\n"
                    + extra),
            Gate.class));
  }

  private CompletableFuture<InvocationResult> invokeGate(String payload) {
    return f.runtime
        .invoke("gatej", RuntimeFixture.message("in/gate", payload))
        .toCompletableFuture();
  }

  private void awaitStarted(int count) {
    await().atMost(RuntimeFixture.WAIT).until(() -> f.host.on("gate/started").size() >= count);
  }

  @Test
  void aTimeoutInAChildJvmWithSeveralInFlightKillsItFailingTheOthersAndItIsRestarted()
      throws Exception {
    deployGateJvm("timeoutMillis: " + SHARED_TIMEOUT_MILLIS + "\n");
    long firstPid = childPid();
    CompletableFuture<InvocationResult> first = invokeGate("wait a");
    awaitStarted(1);
    // the others start well after the first, so only the first reaches its timeout
    Thread.sleep(LATER_START_MILLIS);
    CompletableFuture<InvocationResult> second = invokeGate("wait b");
    CompletableFuture<InvocationResult> third = invokeGate("wait c");
    awaitStarted(3);

    assertThat(get(first).outcome()).isEqualTo(Outcome.TIMEOUT);
    for (InvocationResult other : List.of(get(second), get(third))) {
      assertThat(other.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(other.error()).contains("another invocation in flight in it timed out");
    }
    assertThat(f.count("gatej", Outcome.TIMEOUT)).isEqualTo(1.0);
    assertThat(f.count("gatej", Outcome.ERROR)).isEqualTo(2.0);
    assertGateServedByANewChild(firstPid);
  }

  @Test
  void aChildJvmKilledWithSeveralInFlightFailsThemAllCountedAndIsRestarted() throws Exception {
    deployGateJvm("timeoutMillis: 30000\n");
    long firstPid = childPid();
    CompletableFuture<InvocationResult> a = invokeGate("wait a");
    CompletableFuture<InvocationResult> b = invokeGate("wait b");
    awaitStarted(2);

    ProcessHandle child = ProcessHandle.of(firstPid).orElseThrow();
    child.descendants().forEach(ProcessHandle::destroyForcibly);
    child.destroyForcibly();

    for (InvocationResult r : List.of(get(a), get(b))) {
      assertThat(r.outcome()).isEqualTo(Outcome.ERROR);
      assertThat(r.error()).contains("exited with code");
    }
    assertThat(f.count("gatej", Outcome.ERROR)).isEqualTo(2.0);
    assertGateServedByANewChild(firstPid);
  }

  /**
   * Waits until a restart of {@code function}'s child is counted: the child's reader fails the
   * invocations in flight first, then counts the restart.
   */
  private void awaitRestartCounted(String function) {
    await()
        .atMost(RuntimeFixture.WAIT)
        .until(
            () ->
                f.registry
                        .get("outpost.function.process.restarts")
                        .tag("function", function)
                        .counter()
                        .count()
                    >= 1.0);
  }

  private void assertGateServedByANewChild(long firstPid) {
    awaitRestartCounted("gatej");
    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () -> {
              InvocationResult r = f.invoke("gatej", "in/gate", "go");
              assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
              assertThat(r.outputs().get(0).topic()).isEqualTo("gate/done");
              assertThat(childPid()).isNotEqualTo(firstPid);
            });
  }

  private long childPid() {
    List<ProcessHandle> children =
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList();
    assertThat(children).hasSize(1);
    return children.get(0).pid();
  }

  private void assertRestartedWithANewChild(long firstPid) {
    awaitRestartCounted("mux");
    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () -> {
              InvocationResult r = f.invoke("mux", "in/mux", "{\"mode\":\"peek\"}");
              assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
              assertThat(childPid()).isNotEqualTo(firstPid);
            });
  }
}
