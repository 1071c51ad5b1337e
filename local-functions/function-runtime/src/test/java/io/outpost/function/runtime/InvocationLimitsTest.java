package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.function.runtime.testfunctions.Echo;
import io.outpost.function.runtime.testfunctions.Gate;
import io.outpost.function.runtime.testfunctions.Stubborn;
import io.outpost.testkit.MovableClock;
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
import org.junit.jupiter.api.io.TempDir;

class InvocationLimitsTest {

  @TempDir Path tmp;
  RuntimeFixture f;
  Path gate;

  @BeforeEach
  void start() throws Exception {
    gate = tmp.resolve("gate-open");
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults().withBroken(3, Duration.ofMillis(300)));
  }

  @AfterEach
  void stop() throws Exception {
    System.setProperty(Stubborn.RELEASE, "true");
    Files.writeString(gate, "open");
    f.close();
    System.clearProperty(Stubborn.RELEASE);
  }

  private Path gateJar(String version, String extra) throws Exception {
    // generous unless the test is about timeouts: a loaded build machine must not turn waits into
    // timeouts
    String timeout = extra.contains("timeoutMillis") ? "" : "timeoutMillis: 20000\n";
    return TestPackages.jar(
        tmp,
        TestPackages.javaDescriptor(
            "gate", version, Gate.class, "environment: {gate: '" + gate + "'}\n" + timeout + extra),
        Gate.class);
  }

  private CompletableFuture<InvocationResult> invokeAsync(String function, String payload) {
    return f.runtime
        .invoke(function, RuntimeFixture.message("in/" + function, payload))
        .toCompletableFuture();
  }

  @Test
  void slowHandlerTimesOutIsCountedAndTheNextInvocationStillRuns() throws Exception {
    f.runtime.deploy(gateJar("1", "timeoutMillis: 1000\n"));

    InvocationResult timedOut = f.invoke("gate", "in/gate", "wait");

    assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(timedOut.error()).contains("timed out after 1000 ms");
    assertThat(f.count("gate", Outcome.TIMEOUT)).isEqualTo(1.0);
    assertThat(f.host.on("outpost/functions/gate/errors"))
        .singleElement()
        .satisfies(m -> assertThat(m.payloadAsString()).contains("\"outcome\":\"timeout\""));
    assertThat(f.invoke("gate", "in/gate", "go").outcome()).isEqualTo(Outcome.OK);
    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        f.registry
                            .get("outpost.function.abandoned.threads")
                            .tag("function", "gate")
                            .gauge()
                            .value())
                    .isZero());
  }

  @Test
  void handlerIgnoringInterruptsNeverStallsItsFunctionOrOthers() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("stubborn", "1", Stubborn.class, "timeoutMillis: 1000\n"),
            Stubborn.class));
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("echo", "1", Echo.class, ""), Echo.class));

    assertThat(f.invoke("stubborn", "in/stubborn", "block").outcome()).isEqualTo(Outcome.TIMEOUT);

    assertThat(f.invoke("stubborn", "in/stubborn", "quick").outcome()).isEqualTo(Outcome.OK);
    assertThat(f.invoke("echo", "in/echo", "hi").outcome()).isEqualTo(Outcome.OK);
    assertThat(
            f.registry
                .get("outpost.function.abandoned.threads")
                .tag("function", "stubborn")
                .gauge()
                .value())
        .isEqualTo(1.0);
  }

  @Test
  void tooManyStuckThreadsMarkTheFunctionBrokenUntilRedeployed() throws Exception {
    f.close();
    f =
        new RuntimeFixture(
            tmp.resolve("functions"), FunctionRuntimeOptions.defaults().withMaxAbandonedThreads(1));
    Path jar =
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("stubborn", "1", Stubborn.class, "timeoutMillis: 1000\n"),
            Stubborn.class);
    f.runtime.deploy(jar);

    f.invoke("stubborn", "in/stubborn", "block");
    f.invoke("stubborn", "in/stubborn", "block");

    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () ->
                assertThat(f.runtime.get("stubborn"))
                    .get()
                    .extracting(FunctionInfo::state)
                    .isEqualTo(FunctionState.BROKEN));
    assertThat(f.invoke("stubborn", "in/stubborn", "quick").outcome()).isEqualTo(Outcome.BROKEN);
    System.setProperty(Stubborn.RELEASE, "true");
    assertThat(f.runtime.deploy(jar).state()).isEqualTo(FunctionState.RUNNING);
    assertThat(f.invoke("stubborn", "in/stubborn", "quick").outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void fullQueueRejectsNewInvocationsWithRejectNew() throws Exception {
    f.runtime.deploy(gateJar("1", "maxConcurrency: 1\nmaxQueued: 2\noverflow: reject-new\n"));
    CompletableFuture<InvocationResult> running = invokeAsync("gate", "wait");
    await().atMost(RuntimeFixture.WAIT).until(() -> !f.host.on("gate/started").isEmpty());
    List<CompletableFuture<InvocationResult>> queued =
        List.of(invokeAsync("gate", "q1"), invokeAsync("gate", "q2"));

    InvocationResult rejected = invokeAsync("gate", "q3").get(20, TimeUnit.SECONDS);

    assertThat(rejected.outcome()).isEqualTo(Outcome.OVERFLOW);
    assertThat(rejected.error()).contains("queue full (maxQueued=2, overflow=reject-new)");
    assertThat(
            f.registry.get("outpost.function.queue.depth").tag("function", "gate").gauge().value())
        .isEqualTo(2.0);
    Files.writeString(gate, "open");
    assertThat(running.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    for (CompletableFuture<InvocationResult> q : queued) {
      assertThat(q.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    }
    assertThat(f.count("gate", Outcome.OVERFLOW)).isEqualTo(1.0);
  }

  @Test
  void fullQueueEvictsTheOldestWithDropOldest() throws Exception {
    f.runtime.deploy(gateJar("1", "maxQueued: 1\noverflow: drop-oldest\n"));
    CompletableFuture<InvocationResult> running = invokeAsync("gate", "wait");
    await().atMost(RuntimeFixture.WAIT).until(() -> !f.host.on("gate/started").isEmpty());
    CompletableFuture<InvocationResult> oldest = invokeAsync("gate", "old");

    CompletableFuture<InvocationResult> newest = invokeAsync("gate", "new");

    assertThat(oldest.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OVERFLOW);
    Files.writeString(gate, "open");
    assertThat(running.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    assertThat(newest.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void repeatedFailuresMarkBrokenThenATrialAfterBackoffRecovers() throws Exception {
    // The back-off runs on the runtime's clock: the test moves it on instead of waiting, so however
    // slow the machine, no call gets through before the back-off is over, and the first one after
    // it does.
    MovableClock clock = MovableClock.ahead();
    Duration backoff = Duration.ofMinutes(10);
    f.close();
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults().withBroken(3, backoff),
            clock);
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("echo", "1", Echo.class, ""), Echo.class));
    List<Outcome> outcomes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      outcomes.add(f.invoke("echo", "in/echo", "fail").outcome());
    }

    assertThat(outcomes).containsOnly(Outcome.ERROR);
    assertThat(f.runtime.get("echo"))
        .get()
        .extracting(FunctionInfo::state)
        .isEqualTo(FunctionState.BROKEN);
    assertThat(f.invoke("echo", "in/echo", "ok").outcome()).isEqualTo(Outcome.BROKEN);
    clock.advance(backoff.plusSeconds(1));
    InvocationResult trial = f.invoke("echo", "in/echo", "ok");
    assertThat(trial.outcome()).as(trial.error()).isEqualTo(Outcome.OK);
    assertThat(f.runtime.get("echo"))
        .get()
        .extracting(FunctionInfo::state)
        .isEqualTo(FunctionState.RUNNING);
    assertThat(f.count("echo", Outcome.BROKEN)).isEqualTo(1.0);
  }

  @Test
  void inFlightInvocationFinishesOnOldVersionBeforeTheSwitch() throws Exception {
    f.runtime.deploy(gateJar("1", ""));
    CompletableFuture<InvocationResult> inFlight = invokeAsync("gate", "wait");
    await().atMost(RuntimeFixture.WAIT).until(() -> !f.host.on("gate/started").isEmpty());

    CompletableFuture<FunctionInfo> deploying =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return f.runtime.deploy(gateJar("2", ""));
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    await()
        .atMost(RuntimeFixture.WAIT)
        .until(() -> f.runtime.get("gate").orElseThrow().version().equals("2"));
    CompletableFuture<InvocationResult> afterSwitch = invokeAsync("gate", "go");
    assertThat(afterSwitch).isNotDone();
    Files.writeString(gate, "open");

    assertThat(inFlight.get(20, TimeUnit.SECONDS).version()).isEqualTo("1");
    assertThat(inFlight.get().outcome()).isEqualTo(Outcome.OK);
    assertThat(afterSwitch.get(20, TimeUnit.SECONDS).version()).isEqualTo("2");
    assertThat(deploying.get(20, TimeUnit.SECONDS).version()).isEqualTo("2");
    assertThat(f.host.on("gate/done"))
        .extracting(OutboundMessage::payloadAsString)
        .containsExactly("1", "2");
  }

  @Test
  void inProcessThreadsThatIgnoredATimeoutStayVisibleAfterRemovalUntilTheyEnd() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("stubborn", "1", Stubborn.class, "timeoutMillis: 500\n"),
            Stubborn.class));
    assertThat(f.invoke("stubborn", "in/stubborn", "block").outcome()).isEqualTo(Outcome.TIMEOUT);

    assertThat(f.runtime.remove("stubborn")).isTrue();

    assertThat(f.runtime.strandedThreads())
        .extracting(e -> e.function() + "@" + e.version() + ":" + e.threads())
        .containsExactly("stubborn@1:1");
    assertThat(
            f.registry
                .get("outpost.function.stranded.threads")
                .tag("function", "stubborn")
                .gauge()
                .value())
        .isEqualTo(1);
    System.setProperty(Stubborn.RELEASE, "true");
    await().atMost(RuntimeFixture.WAIT).until(() -> f.runtime.strandedThreads().isEmpty());
    assertThat(
            f.registry
                .get("outpost.function.stranded.threads")
                .tag("function", "stubborn")
                .gauge()
                .value())
        .isZero();
  }
}
