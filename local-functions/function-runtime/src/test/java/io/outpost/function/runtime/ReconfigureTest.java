package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.testfunctions.Gate;
import io.outpost.function.runtime.testfunctions.Tally;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Settings changed on a running runtime (a configuration reload): what changes, when, and what is
 * left alone.
 */
class ReconfigureTest {

  @TempDir Path tmp;
  RuntimeFixture f;
  Path gate;

  @BeforeEach
  void start() throws Exception {
    gate = tmp.resolve("gate-open");
    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "gate",
                "1",
                Gate.class,
                "environment: {gate: '" + gate + "'}\ntimeoutMillis: 20000\n"),
            Gate.class));
  }

  @AfterEach
  void stop() throws Exception {
    Files.writeString(gate, "open");
    f.close();
  }

  private CompletableFuture<InvocationResult> invokeAsync(String payload) {
    return f.runtime
        .invoke("gate", RuntimeFixture.message("in/gate", payload))
        .toCompletableFuture();
  }

  private static FunctionRuntimeOptions withGate(FunctionOverrides overrides) {
    return FunctionRuntimeOptions.defaults().withOverrides(Map.of("gate", overrides));
  }

  @Test
  void newTimeoutAppliesToNewInvocationsWhileTheInFlightOneFinishesUnderTheOld() throws Exception {
    CompletableFuture<InvocationResult> inFlight = invokeAsync("wait");
    await().atMost(RuntimeFixture.WAIT).until(() -> !f.host.on("gate/started").isEmpty());

    CompletableFuture<FunctionReconfiguration> reconfiguring =
        CompletableFuture.supplyAsync(
            () ->
                f.runtime.reconfigure(
                    withGate(new FunctionOverrides(1_000L, null, null, null, null))));

    // Under the new 1 s timeout it would have timed out by now; it runs on under the old 20 s one.
    await()
        .during(Duration.ofMillis(1_500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> !inFlight.isDone());
    Files.writeString(gate, "open");
    assertThat(inFlight.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    assertThat(reconfiguring.get(20, TimeUnit.SECONDS).restarted()).containsExactly("gate");
    assertThat(f.runtime.get("gate").orElseThrow().settings())
        .isEqualTo(
            new FunctionInfo.Settings(
                1_000, 1, FunctionRuntimeOptions.DEFAULT_MAX_QUEUED, OverflowPolicy.REJECT_NEW));

    Files.delete(gate);
    InvocationResult next = f.invoke("gate", "in/gate", "wait");
    assertThat(next.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(next.error()).contains("timed out after 1000 ms");
  }

  @Test
  void higherConcurrencyLetsInvocationsRunSideBySide() throws Exception {
    f.runtime.reconfigure(withGate(new FunctionOverrides(null, 2, null, null, null)));

    CompletableFuture<InvocationResult> first = invokeAsync("wait");
    CompletableFuture<InvocationResult> second = invokeAsync("wait");

    await().atMost(RuntimeFixture.WAIT).until(() -> f.host.on("gate/started").size() == 2);
    Files.writeString(gate, "open");
    assertThat(first.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    assertThat(second.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void environmentOverrideReachesTheHandlerConfig() throws Exception {
    Path other = tmp.resolve("other-gate");
    Files.writeString(other, "open");

    f.runtime.reconfigure(
        withGate(new FunctionOverrides(null, null, null, null, Map.of("gate", other.toString()))));

    assertThat(f.invoke("gate", "in/gate", "wait").outcome())
        .as("waits on the overriding gate file")
        .isEqualTo(Outcome.OK);
  }

  @Test
  void functionsWhoseSettingsDoNotChangeKeepRunningUntouched() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("tally", "1", Tally.class, "lifecycle: pinned\n"),
            Tally.class));
    f.invoke("tally", "in/tally", "x");

    FunctionReconfiguration r =
        f.runtime.reconfigure(withGate(new FunctionOverrides(5_000L, null, null, null, null)));
    f.invoke("tally", "in/tally", "x");

    assertThat(r.restarted()).containsExactly("gate");
    assertThat(f.host.on("tally"))
        .extracting(OutboundMessage::payloadAsString)
        .as("the pinned handler kept its state")
        .containsExactly("1", "2");
  }

  @Test
  void overrideThatDoesNotFitADeployedFunctionIsRejectedAndNothingChanges() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("proc"));
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        "name: proc\nversion: '1'\nruntime: process\ncommand: [cat]\n");
    f.runtime.deploy(dir);
    FunctionRuntimeOptions before = f.runtime.options();
    FunctionRuntimeOptions invalid =
        FunctionRuntimeOptions.defaults()
            .withOverrides(
                Map.of(
                    "gate", new FunctionOverrides(1_000L, null, null, null, null),
                    "proc", new FunctionOverrides(null, 2, null, null, null)));

    assertThatThrownBy(() -> f.runtime.reconfigure(invalid))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "functions.overrides.proc.maxConcurrency: proc is a process function");

    assertThat(f.runtime.options()).isEqualTo(before);
    Files.writeString(gate, "open");
    assertThat(f.invoke("gate", "in/gate", "go").outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void overridesApplyToFunctionsDeployedLater() throws Exception {
    f.runtime.reconfigure(
        FunctionRuntimeOptions.defaults()
            .withOverrides(Map.of("late", new FunctionOverrides(20_000L, null, 1, null, null))));
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "late", "1", Gate.class, "environment: {gate: '" + gate + "'}\n"),
            Gate.class));

    CompletableFuture<InvocationResult> running = invokeLate();
    await().atMost(RuntimeFixture.WAIT).until(() -> !f.host.on("gate/started").isEmpty());
    CompletableFuture<InvocationResult> queued = invokeLate();
    InvocationResult overflow = invokeLate().get(20, TimeUnit.SECONDS);

    assertThat(overflow.outcome()).isEqualTo(Outcome.OVERFLOW);
    assertThat(overflow.error()).as("maxQueued from the override").contains("maxQueued=1");
    Files.writeString(gate, "open");
    assertThat(running.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
    assertThat(queued.get(20, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.OK);
  }

  private CompletableFuture<InvocationResult> invokeLate() {
    return f.runtime
        .invoke("late", RuntimeFixture.message("in/late", "wait"))
        .toCompletableFuture();
  }
}
