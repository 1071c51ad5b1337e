package io.outpost.sim.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.sim.report.Json;
import io.outpost.sim.support.MoquetteBroker;
import io.outpost.sim.support.Threads;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: help, run + consume against a real broker, JSON files, charts. */
class CliIT {

  @TempDir Path dir;

  private MoquetteBroker broker;
  private final PrintStream originalOut = System.out;

  @AfterEach
  void cleanUp() {
    System.setOut(originalOut);
    if (broker != null) {
      broker.close();
    }
    Threads.awaitNoneLeft();
  }

  @Test
  void helpDescribesRunAndConsume() {
    String run = capture("run", "--help");
    String consume = capture("consume", "--help");

    assertThat(run)
        .contains(
            "--devices",
            "--rate",
            "--qos",
            "--mqtt-version",
            "--ramp-up",
            "--duration",
            "--count",
            "--payload-size",
            "--payload-template",
            "--topic",
            "--ca-file",
            "--username",
            "--json");
    assertThat(consume)
        .contains(
            "--topic-filter",
            "--expect-per-device",
            "--stale-threshold",
            "--subscribers",
            "--ready-file",
            "--json");
  }

  @Test
  void runAndConsumeWriteSummariesThatChartRenders() throws Exception {
    broker = new MoquetteBroker();
    Path ready = dir.resolve("ready");
    Path consumed = dir.resolve("consume.json");
    Path ran = dir.resolve("run.json");
    Path latencyLog = dir.resolve("latency.tsv");
    CompletableFuture<Integer> consume =
        CompletableFuture.supplyAsync(
            () ->
                DeviceSimCommand.execute(
                    "consume",
                    "-b",
                    broker.uri(),
                    "--expect-per-device",
                    "10",
                    "--expect-devices",
                    "2",
                    "--duration",
                    "60s",
                    "--ready-file",
                    ready.toString(),
                    "--latency-log",
                    latencyLog.toString(),
                    "-o",
                    consumed.toString(),
                    "-q",
                    "--no-reconnect",
                    "--fail-on-loss"));
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(ready));

    int runExit =
        DeviceSimCommand.execute(
            "run",
            "-b",
            broker.uri(),
            "-n",
            "2",
            "-c",
            "10",
            "-r",
            "50",
            "--payload-template",
            "{\"deviceId\":\"{deviceId}\",\"seq\":{seq},\"ts\":{tsMicros},\"t\":{randFloat:20:25}}",
            "-o",
            ran.toString(),
            "-q",
            "--json");

    assertThat(runExit).isZero();
    assertThat(consume.get(60, TimeUnit.SECONDS)).isZero();
    JsonNode runJson = Json.read(ran, JsonNode.class);
    JsonNode consumeJson = Json.read(consumed, JsonNode.class);
    assertThat(runJson.path("acked").asLong()).isEqualTo(20);
    assertThat(runJson.path("ackLatency").path("count").asLong()).isEqualTo(20);
    assertThat(consumeJson.path("received").asLong()).isEqualTo(20);
    assertThat(consumeJson.path("sequence").path("lost").asLong()).isZero();
    assertThat(consumeJson.path("endToEndLatency").path("count").asLong()).isEqualTo(20);
    List<String[]> logged =
        Files.readAllLines(latencyLog).stream().map(l -> l.split("\t")).toList();
    assertThat(logged).hasSize(20);
    assertThat(logged)
        .extracting(f -> f[0] + "#" + f[1])
        .as("every message once, by device and sequence number")
        .doesNotHaveDuplicates();
    assertThat(logged)
        .allSatisfy(
            f -> {
              assertThat(f).hasSize(4);
              assertThat(Long.parseLong(f[2])).as("latency, µs").isNotNegative();
              assertThat(Long.parseLong(f[3]))
                  .as("intended send time, epoch µs")
                  .isGreaterThan(1_700_000_000_000_000L);
            });

    Path latencyPng = dir.resolve("latency.png");
    Path timelinePng = dir.resolve("timeline.png");
    assertThat(
            DeviceSimCommand.execute(
                "chart",
                "latency",
                "--out",
                latencyPng.toString(),
                "consume=" + consumed,
                "run=" + ran))
        .isZero();
    assertThat(
            DeviceSimCommand.execute(
                "chart", "timeline", "--out", timelinePng.toString(), "sent=" + ran))
        .isZero();
    assertThat(Files.readAllBytes(latencyPng)).startsWith(0x89, 'P', 'N', 'G');
    assertThat(Files.readAllBytes(timelinePng)).startsWith(0x89, 'P', 'N', 'G');
  }

  @Test
  void rejectsAnUnknownPlaceholderWithAUsageError() {
    int exit = DeviceSimCommand.execute("run", "-c", "1", "--payload-template", "{nope}", "-q");

    assertThat(exit).isNotZero();
  }

  private String capture(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      assertThat(DeviceSimCommand.execute(args)).isZero();
    } finally {
      System.setOut(originalOut);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
