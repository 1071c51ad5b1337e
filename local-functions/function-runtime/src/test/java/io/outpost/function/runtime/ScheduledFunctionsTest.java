package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.schedule.ManualTimer;
import io.outpost.function.runtime.testfunctions.Echo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functions with {@code every} or {@code schedule} run through the same pipeline as topic-triggered
 * ones (outputs to the host, invocation metrics), armed on deploy and start, re-armed or cancelled
 * on redeploy, rollback and remove; time is driven by hand.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScheduledFunctionsTest {

  private static final Instant T0 = Instant.parse("2026-12-05T04:58:30Z");
  private static final String OUTPUT = "echo/$schedule/tick";

  @TempDir Path tmp;

  private final ManualTimer timer = new ManualTimer(T0);
  private final RecordingHost host = new RecordingHost();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private FunctionRuntime runtime;

  private FunctionRuntime start() throws Exception {
    runtime =
        new FunctionRuntime(
            FunctionRuntimeOptions.defaults(),
            tmp.resolve("functions"),
            host,
            registry,
            timer.clock,
            timer);
    runtime.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
    return runtime;
  }

  @AfterEach
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  private FunctionInfo deploy(String version, String extra) throws Exception {
    return runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("tick", version, Echo.class, extra), Echo.class));
  }

  private List<String> outputs() {
    return host.on(OUTPUT).stream()
        .map(m -> new String(m.payload(), StandardCharsets.UTF_8))
        .toList();
  }

  private double invocations(Outcome outcome) {
    return registry
        .get("outpost.function.invocations")
        .tag("function", "tick")
        .tag("outcome", outcome.tag())
        .counter()
        .count();
  }

  @Test
  void everyInvokesTheFunctionAndItsOutputsArePublished() throws Exception {
    start();
    FunctionInfo info = deploy("1", "every: 10s\n");
    assertThat(info.schedule().nextRun()).isEqualTo(T0.plusSeconds(10));

    // one interval at a time: a run still in flight when the next falls due would be skipped
    timer.advance(Duration.ofSeconds(10));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.get("tick").orElseThrow().schedule().runs() == 1);
    timer.advance(Duration.ofSeconds(10));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> outputs().size() == 2 && invocations(Outcome.OK) == 2);
    assertThat(outputs())
        .containsExactly(
            "{\"scheduledTime\":\"2026-12-05T04:58:40Z\"}",
            "{\"scheduledTime\":\"2026-12-05T04:58:50Z\"}");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.get("tick").orElseThrow().schedule().runs() == 2);
    FunctionInfo.Schedule shown = runtime.get("tick").orElseThrow().schedule();
    assertThat(shown.every()).isEqualTo("10s");
    assertThat(shown.nextRun()).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void redeployRollbackAndRemoveReArmOrCancelTheSchedule() throws Exception {
    start();
    deploy("1", "schedule: \"0 */5 * * * *\"\n");
    assertThat(runtime.get("tick").orElseThrow().schedule().cron()).isEqualTo("0 */5 * * * *");

    deploy("2", "");
    assertThat(runtime.get("tick").orElseThrow().schedule()).isNull();
    timer.advance(Duration.ofMinutes(10));
    assertThat(timer.pending()).isZero();

    runtime.rollback("tick");
    assertThat(runtime.get("tick").orElseThrow().schedule().nextRun())
        .isEqualTo(Instant.parse("2026-12-05T05:10:00Z"));

    runtime.remove("tick");
    timer.advance(Duration.ofMinutes(10));
    assertThat(timer.pending()).isZero();
    assertThat(outputs()).isEmpty();
  }

  @Test
  void catchUpRunsOnceWhenTheRuntimeStartsAfterMissingRuns() throws Exception {
    start();
    deploy("1", "every: 10s\ncatchUp: true\n");
    timer.advance(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> outputs().size() == 1);
    runtime.close();

    timer.jumpTo(T0.plus(Duration.ofMinutes(5)));
    start();
    timer.advance(Duration.ZERO);

    await().atMost(Duration.ofSeconds(20)).until(() -> outputs().size() == 2);
    assertThat(outputs().get(1))
        .isEqualTo("{\"scheduledTime\":\"2026-12-05T04:58:50Z\",\"catchUp\":true}");
    assertThat(runtime.get("tick").orElseThrow().schedule().nextRun())
        .isEqualTo(T0.plus(Duration.ofMinutes(5)).plusSeconds(10));
  }

  @Test
  void aScheduleStartsAnOnDemandFunctionThatScaledToZero() throws Exception {
    start();
    deploy("1", "every: 1m\nidleTimeoutMillis: 1000\n");
    timer.advance(Duration.ofSeconds(2));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> runtime.get("tick").orElseThrow().state() == FunctionState.IDLE);

    timer.advance(Duration.ofMinutes(1));

    await().atMost(Duration.ofSeconds(20)).until(() -> outputs().size() == 1);
    assertThat(invocations(Outcome.OK)).isEqualTo(1);
  }
}
