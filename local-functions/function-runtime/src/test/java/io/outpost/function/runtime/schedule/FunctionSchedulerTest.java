package io.outpost.function.runtime.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.InboundMessage;
import io.outpost.function.runtime.InvocationResult;
import io.outpost.function.runtime.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled runs fire on a hand-driven clock and timer: intervals and cron times, skips while the
 * previous run is busy, and catch-up (or not) across a restart with the last run kept on disk.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FunctionSchedulerTest {

  private static final Instant T0 = Instant.parse("2026-12-05T04:58:30Z");

  @TempDir Path state;

  private final ManualTimer timer = new ManualTimer(T0);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<InboundMessage> received = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<InvocationResult>> results = new CopyOnWriteArrayList<>();
  private final List<String> functionLog = new CopyOnWriteArrayList<>();

  /** Completes each invocation at once unless a test holds them. */
  private volatile boolean hold;

  private FunctionScheduler scheduler;

  @BeforeEach
  void open() {
    scheduler = newScheduler();
  }

  private FunctionScheduler newScheduler() {
    return new FunctionScheduler(
        timer.clock,
        timer,
        state,
        registry,
        this::invoke,
        (function, level, message) -> functionLog.add(function + " " + level + " " + message));
  }

  private CompletionStage<InvocationResult> invoke(String function, InboundMessage message) {
    received.add(message);
    CompletableFuture<InvocationResult> result = new CompletableFuture<>();
    results.add(result);
    if (!hold) {
      result.complete(ok(function));
    }
    return result;
  }

  private static InvocationResult ok(String function) {
    return new InvocationResult(function, "1", Outcome.OK, List.of(), Duration.ZERO, null);
  }

  @AfterEach
  void close() {
    scheduler.close();
  }

  private List<String> payloads() {
    return received.stream().map(m -> new String(m.payload(), StandardCharsets.UTF_8)).toList();
  }

  private double counted(String function, String outcome) {
    var c =
        registry
            .find("outpost.function.scheduled")
            .tag("function", function)
            .tag("outcome", outcome)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void everyRunsOnceAnIntervalOnItsPseudoTopic() {
    scheduler.arm("tick", EveryTiming.parse("10s"), false);

    timer.advance(Duration.ofSeconds(9));
    assertThat(received).isEmpty();
    timer.advance(Duration.ofSeconds(25));

    assertThat(received).hasSize(3);
    assertThat(received).allSatisfy(m -> assertThat(m.topic()).isEqualTo("$schedule/tick"));
    assertThat(payloads())
        .containsExactly(
            "{\"scheduledTime\":\"2026-12-05T04:58:40Z\"}",
            "{\"scheduledTime\":\"2026-12-05T04:58:50Z\"}",
            "{\"scheduledTime\":\"2026-12-05T04:59:00Z\"}");
    assertThat(counted("tick", "ok")).isEqualTo(3);
    FunctionInfo.Schedule status = scheduler.status("tick").orElseThrow();
    assertThat(status.every()).isEqualTo("10s");
    assertThat(status.cron()).isNull();
    assertThat(status.nextRun()).isEqualTo(Instant.parse("2026-12-05T04:59:10Z"));
    assertThat(status.lastRun()).isEqualTo(Instant.parse("2026-12-05T04:59:00Z"));
    assertThat(status.runs()).isEqualTo(3);
  }

  @Test
  void cronRunsAtItsTimesWithoutSleepingForMinutes() {
    scheduler.arm("report", CronTiming.parse("0 */5 * * * *"), false);
    assertThat(scheduler.status("report").orElseThrow().nextRun())
        .isEqualTo(Instant.parse("2026-12-05T05:00:00Z"));

    timer.advance(Duration.ofMinutes(10)); // to 05:08:30

    assertThat(payloads())
        .containsExactly(
            "{\"scheduledTime\":\"2026-12-05T05:00:00Z\"}",
            "{\"scheduledTime\":\"2026-12-05T05:05:00Z\"}");
    assertThat(scheduler.status("report").orElseThrow().cron()).isEqualTo("0 */5 * * * *");
  }

  @Test
  void aRunIsSkippedAndCountedWhileThePreviousOneIsStillRunning() {
    hold = true;
    scheduler.arm("slow", EveryTiming.parse("1s"), false);

    timer.advance(Duration.ofSeconds(3));

    assertThat(received).hasSize(1);
    assertThat(counted("slow", FunctionScheduler.SKIPPED)).isEqualTo(2);
    assertThat(scheduler.status("slow").orElseThrow().skipped()).isEqualTo(2);
    assertThat(functionLog)
        .as("each run and skip is in the function's own log")
        .containsExactly(
            "slow INFO scheduled run for 2026-12-05T04:58:31Z",
            "slow WARN scheduled run for 2026-12-05T04:58:32Z skipped: the previous run has not"
                + " finished",
            "slow WARN scheduled run for 2026-12-05T04:58:33Z skipped: the previous run has not"
                + " finished");

    results.get(0).complete(ok("slow"));
    timer.advance(Duration.ofSeconds(1));
    assertThat(received).hasSize(2);
    assertThat(counted("slow", "ok")).isEqualTo(1);
  }

  @Test
  void aFullQueueCountsTheRunAsOverflowAndSkipped() {
    hold = true;
    scheduler.arm("full", EveryTiming.parse("1s"), false);
    timer.advance(Duration.ofSeconds(1));

    results
        .get(0)
        .complete(
            new InvocationResult("full", "1", Outcome.OVERFLOW, List.of(), Duration.ZERO, "full"));

    assertThat(counted("full", "overflow")).isEqualTo(1);
    assertThat(scheduler.status("full").orElseThrow().skipped()).isEqualTo(1);
    assertThat(functionLog)
        .containsExactly(
            "full INFO scheduled run for 2026-12-05T04:58:31Z",
            "full WARN scheduled run for 2026-12-05T04:58:31Z skipped: its queue is full");
  }

  @Test
  void missedRunsAreNotReplayedAfterARestartByDefault() {
    scheduler.arm("tick", EveryTiming.parse("10s"), false);
    timer.advance(Duration.ofSeconds(10));
    scheduler.close();

    timer.jumpTo(T0.plus(Duration.ofHours(1)));
    scheduler = newScheduler();
    scheduler.arm("tick", EveryTiming.parse("10s"), false);
    timer.advance(Duration.ZERO);

    assertThat(received).hasSize(1);
    assertThat(scheduler.status("tick").orElseThrow().nextRun())
        .isEqualTo(T0.plus(Duration.ofHours(1)).plusSeconds(10));
    assertThat(state.resolve("tick.json")).doesNotExist();
  }

  @Test
  void catchUpMakesUpForMissedRunsWithOneRunAtStart() throws Exception {
    scheduler.arm("report", CronTiming.parse("0 */5 * * * *"), true);
    timer.advance(Duration.ofMinutes(2)); // the 05:00 run
    assertThat(Files.readString(state.resolve("report.json"))).contains("2026-12-05T05:00:00Z");
    scheduler.close();

    // down from 05:00:30 to 05:31: six runs missed
    timer.jumpTo(Instant.parse("2026-12-05T05:31:00Z"));
    scheduler = newScheduler();
    scheduler.arm("report", CronTiming.parse("0 */5 * * * *"), true);
    timer.advance(Duration.ZERO);

    assertThat(payloads())
        .containsExactly(
            "{\"scheduledTime\":\"2026-12-05T05:00:00Z\"}",
            "{\"scheduledTime\":\"2026-12-05T05:05:00Z\",\"catchUp\":true}");
    assertThat(scheduler.status("report").orElseThrow().nextRun())
        .isEqualTo(Instant.parse("2026-12-05T05:35:00Z"));
    assertThat(Files.readString(state.resolve("report.json"))).contains("2026-12-05T05:05:00Z");
    assertThat(functionLog)
        .contains("report INFO catching up on scheduled runs missed since 2026-12-05T05:05:00Z");

    timer.advance(Duration.ofMinutes(4));
    assertThat(received).hasSize(3);
  }

  @Test
  void catchUpDoesNothingWhenNoRunWasMissed() {
    scheduler.arm("tick", EveryTiming.parse("10s"), true);
    timer.advance(Duration.ofSeconds(10));
    scheduler.close();

    timer.jumpTo(T0.plusSeconds(15));
    scheduler = newScheduler();
    scheduler.arm("tick", EveryTiming.parse("10s"), true);
    timer.advance(Duration.ZERO);

    assertThat(received).hasSize(1);
  }

  @Test
  void reArmingWithAnotherScheduleCancelsTheOldOne() {
    scheduler.arm("tick", EveryTiming.parse("10s"), false);
    timer.advance(Duration.ofSeconds(5));
    scheduler.arm("tick", EveryTiming.parse("10s"), false); // unchanged: keeps its next run
    assertThat(scheduler.status("tick").orElseThrow().nextRun()).isEqualTo(T0.plusSeconds(10));

    scheduler.arm("tick", EveryTiming.parse("1m"), false);
    timer.advance(Duration.ofSeconds(30));
    assertThat(received).isEmpty();

    scheduler.arm("tick", null, false);
    timer.advance(Duration.ofMinutes(5));
    assertThat(received).isEmpty();
    assertThat(scheduler.status("tick")).isEmpty();
    assertThat(timer.pending()).isZero();
  }

  @Test
  void removingAFunctionCancelsItsScheduleAndForgetsItsLastRun() {
    scheduler.arm("tick", EveryTiming.parse("10s"), true);
    timer.advance(Duration.ofSeconds(10));
    assertThat(state.resolve("tick.json")).exists();

    scheduler.remove("tick");
    timer.advance(Duration.ofMinutes(1));

    assertThat(received).hasSize(1);
    assertThat(state.resolve("tick.json")).doesNotExist();
    assertThat(registry.find("outpost.function.scheduled").tag("function", "tick").meters())
        .isEmpty();
  }

  @Test
  void aClockThatFallsBehindDoesNotStackRuns() {
    scheduler.arm("tick", EveryTiming.parse("10s"), false);

    timer.jumpTo(T0.plus(Duration.ofMinutes(10)));
    timer.advance(Duration.ZERO);

    assertThat(received).hasSize(1);
    assertThat(scheduler.status("tick").orElseThrow().nextRun())
        .isEqualTo(T0.plus(Duration.ofMinutes(10)).plusSeconds(10));
  }

  @Test
  void anUnreadableLastRunIsIgnored() throws Exception {
    Files.writeString(state.resolve("tick.json"), "not json");

    scheduler.arm("tick", EveryTiming.parse("10s"), true);
    timer.advance(Duration.ZERO);

    assertThat(received).isEmpty();
    assertThat(scheduler.status("tick")).isPresent();
  }
}
