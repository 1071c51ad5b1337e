package io.outpost.sim.cli;

import io.outpost.sim.consume.ConsumeSummary;
import io.outpost.sim.consume.Consumer;
import io.outpost.sim.consume.ConsumerOptions;
import io.outpost.sim.measure.DrainTracker;
import io.outpost.sim.measure.LatencyLog;
import io.outpost.sim.measure.SequenceTracker;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.payload.PayloadDecoder;
import io.outpost.sim.report.ProgressFormat;
import io.outpost.sim.report.ProgressReporter;
import io.outpost.sim.report.SummaryText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code device-sim consume}: subscribe and check sequences, latency and backlog drain. */
@Command(
    name = "consume",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Subscribe (possibly on another broker, e.g. the cloud) and check per-device "
            + "sequences: lost, duplicated and out-of-order messages, end-to-end latency and backlog drain.")
final class ConsumeCommand implements Callable<Integer> {

  /** Exit code when --fail-on-loss is set and something was lost or duplicated. */
  static final int EXIT_LOSS = 3;

  @Mixin ConnectionMixin connection;

  @Mixin OutputMixin output;

  @Option(
      names = {"-t", "--topic-filter"},
      defaultValue = ConsumerOptions.DEFAULT_TOPIC_FILTER,
      description = "Subscription filter (default: ${DEFAULT-VALUE}).")
  String topicFilter;

  @Option(
      names = "--qos",
      defaultValue = "1",
      description = "Subscription QoS (default: ${DEFAULT-VALUE}).")
  int qos;

  @Option(
      names = "--subscribers",
      defaultValue = "1",
      description =
          "Independent subscriber connections, each must get every message (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(
      names = "--client-id-prefix",
      defaultValue = ConsumerOptions.DEFAULT_CLIENT_ID_PREFIX,
      description = "Subscriber client ids are PREFIX-1.. (default: ${DEFAULT-VALUE}).")
  String clientIdPrefix;

  @Option(
      names = "--device-field",
      defaultValue = PayloadDecoder.DEFAULT_DEVICE_FIELD,
      description =
          "JSON field with the device id; the topic is used when absent (default: ${DEFAULT-VALUE}).")
  String deviceField;

  @Option(
      names = "--seq-field",
      defaultValue = PayloadDecoder.DEFAULT_SEQ_FIELD,
      description = "JSON field with the sequence number (default: ${DEFAULT-VALUE}).")
  String seqField;

  @Option(
      names = "--ts-field",
      defaultValue = PayloadDecoder.DEFAULT_TS_FIELD,
      description = "JSON field with the send time, epoch ms or us (default: ${DEFAULT-VALUE}).")
  String tsField;

  @Option(
      names = "--first-seq",
      defaultValue = "1",
      description = "First sequence number of each device (default: 1).")
  long firstSeq;

  @Option(
      names = "--expect-per-device",
      defaultValue = "0",
      description =
          "Messages each device sent: a missing tail counts as lost, and consume stops when all arrived.")
  long expectPerDevice;

  @Option(
      names = "--expect-devices",
      defaultValue = "0",
      description = "Devices that sent: devices never heard from count as lost.")
  int expectDevices;

  @Option(
      names = "--stale-threshold",
      converter = DurationConverter.class,
      defaultValue = "2s",
      description =
          "End-to-end latency above which a message is outage backlog (default: ${DEFAULT-VALUE}).")
  Duration staleThreshold = DrainTracker.DEFAULT_STALE_THRESHOLD;

  @Option(
      names = {"-d", "--duration"},
      converter = DurationConverter.class,
      defaultValue = "0s",
      description =
          "Stop after this time (default: until Ctrl-C, idle timeout or all expected messages).")
  Duration duration;

  @Option(
      names = "--idle-timeout",
      converter = DurationConverter.class,
      defaultValue = "0s",
      description = "Stop when nothing arrived for this long after the first message.")
  Duration idleTimeout;

  @Option(
      names = "--warmup",
      converter = DurationConverter.class,
      defaultValue = "0s",
      description =
          "Leave arrivals in this time after the first one out of latency figures (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--max-devices",
      defaultValue = "" + SequenceTracker.DEFAULT_MAX_DEVICES,
      description =
          "Devices tracked per subscriber; more are counted untracked (default: ${DEFAULT-VALUE}).")
  int maxDevices;

  @Option(
      names = "--max-gap-ranges",
      defaultValue = "" + SequenceTracker.DEFAULT_MAX_GAP_RANGES,
      description =
          "Open gaps kept per device; older ones are given up as lost (default: ${DEFAULT-VALUE}).")
  int maxGapRanges;

  @Option(
      names = "--ready-file",
      paramLabel = "FILE",
      description = "Create FILE once every subscription is acknowledged (for scripts).")
  Path readyFile;

  @Option(
      names = "--latency-log",
      paramLabel = "FILE",
      description =
          "Write each message's end-to-end latency to FILE (warm-up included), one line each:"
              + " device id, sequence number, latency in microseconds, intended send time in epoch"
              + " microseconds (tab-separated), to pair the arrivals of the same messages at two"
              + " consumers.")
  Path latencyLogFile;

  @Option(
      names = "--latency-log-max",
      defaultValue = "5000000",
      paramLabel = "N",
      description = "At most N messages in the latency log; later ones are left out and counted.")
  int latencyLogMax;

  @Option(
      names = "--fail-on-loss",
      description = "Exit with " + EXIT_LOSS + " if anything was lost or duplicated.")
  boolean failOnLoss;

  @Override
  public Integer call() throws Exception {
    ConsumerOptions options =
        new ConsumerOptions(
            connection.settings(),
            topicFilter,
            qos,
            subscribers,
            clientIdPrefix,
            new PayloadDecoder(deviceField, seqField, tsField),
            firstSeq,
            expectPerDevice,
            expectDevices,
            staleThreshold,
            duration,
            idleTimeout,
            maxDevices,
            maxGapRanges,
            warmup);
    SimClock clock = SimClock.system();
    ConsumeSummary summary;
    try (Consumer consumer = new Consumer(options, clock);
        ProgressReporter progress =
            new ProgressReporter(
                consumer::sample,
                ProgressFormat::consume,
                clock,
                output.progress(),
                ProgressReporter.DEFAULT_PERIOD,
                ProgressReporter.DEFAULT_MAX_POINTS);
        StopOnSignal signal = new StopOnSignal(consumer::requestStop)) {
      LatencyLog latencyLog = latencyLogFile == null ? null : new LatencyLog(latencyLogMax);
      if (latencyLog != null) {
        consumer.logLatencies(latencyLog);
      }
      consumer.start();
      progress.start();
      if (readyFile != null) {
        Files.writeString(readyFile, "ready\n");
      }
      consumer.awaitCompletion();
      progress.close();
      consumer.close();
      if (latencyLog != null) {
        latencyLog.writeTo(latencyLogFile);
        if (latencyLog.dropped() > 0) {
          System.err.println(
              "latency log full: "
                  + latencyLog.dropped()
                  + " messages left out of it (--latency-log-max "
                  + latencyLogMax
                  + ")");
        }
      }
      summary = consumer.summary(progress.timeline());
      output.emit(summary, SummaryText.consume(summary));
    }
    boolean loss = summary.sequence().lost() > 0 || summary.sequence().duplicates() > 0;
    return failOnLoss && loss ? EXIT_LOSS : 0;
  }
}
