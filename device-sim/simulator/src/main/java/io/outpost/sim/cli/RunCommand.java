package io.outpost.sim.cli;

import io.outpost.sim.fleet.Fleet;
import io.outpost.sim.fleet.FleetOptions;
import io.outpost.sim.fleet.RunSummary;
import io.outpost.sim.measure.SimClock;
import io.outpost.sim.payload.PayloadGenerator;
import io.outpost.sim.payload.SizedPayload;
import io.outpost.sim.payload.Template;
import io.outpost.sim.payload.TemplatePayload;
import io.outpost.sim.report.ProgressFormat;
import io.outpost.sim.report.ProgressReporter;
import io.outpost.sim.report.SummaryText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code device-sim run}: a fleet of simulated devices publishing telemetry. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Simulate N devices, each with its own MQTT connection, publishing at a paced rate.")
final class RunCommand implements Callable<Integer> {

  @Mixin ConnectionMixin connection;

  @Mixin OutputMixin output;

  @Option(
      names = {"-n", "--devices"},
      defaultValue = "" + FleetOptions.DEFAULT_DEVICES,
      description = "Number of devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(
      names = "--device-prefix",
      defaultValue = FleetOptions.DEFAULT_DEVICE_ID_PREFIX,
      description =
          "Device id prefix; ids and client ids are PREFIX00001.. (default: ${DEFAULT-VALUE}).")
  String devicePrefix;

  @Option(
      names = {"-r", "--rate"},
      defaultValue = "" + FleetOptions.DEFAULT_RATE_PER_DEVICE,
      description =
          "Messages per second per device; 0 = as fast as the window allows (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--qos",
      defaultValue = "1",
      description = "QoS 0, 1 or 2 (default: ${DEFAULT-VALUE}).")
  int qos;

  @Option(
      names = "--ramp-up",
      converter = DurationConverter.class,
      defaultValue = "0s",
      description = "Spread device connections over this time (default: ${DEFAULT-VALUE}).")
  Duration rampUp;

  @Option(
      names = {"-d", "--duration"},
      converter = DurationConverter.class,
      defaultValue = "0s",
      description = "Stop sending after this time (from start, ramp-up included).")
  Duration duration;

  @Option(
      names = {"-c", "--count"},
      defaultValue = "0",
      description = "Messages per device, then stop. Give --duration, --count or both.")
  long count;

  @Option(
      names = {"-t", "--topic"},
      defaultValue = FleetOptions.DEFAULT_TOPIC,
      description = "Topic template (default: ${DEFAULT-VALUE}).")
  String topic;

  @ArgGroup(exclusive = true)
  PayloadChoice payload = new PayloadChoice();

  static final class PayloadChoice {
    @Option(
        names = {"-s", "--payload-size"},
        defaultValue = "" + FleetOptions.DEFAULT_PAYLOAD_BYTES,
        description =
            "JSON payload padded to this many bytes, carrying deviceId, seq and ts (default: 100).")
    int size = FleetOptions.DEFAULT_PAYLOAD_BYTES;

    @Option(
        names = "--payload-template",
        paramLabel = "TEXT",
        description =
            "Payload template with {deviceId} {seq} {ts} {tsMicros} {rand} {randInt:A:B} {randFloat:A:B}.")
    String template;

    @Option(
        names = "--payload-template-file",
        paramLabel = "FILE",
        description = "Read the payload template from FILE.")
    Path templateFile;
  }

  @Option(
      names = "--window",
      defaultValue = "" + FleetOptions.DEFAULT_WINDOW,
      description = "Per-device limit of unacknowledged messages (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--threads", description = "Pacing threads (default: min(4, cores)).")
  Integer threads;

  @Option(
      names = "--drain-timeout",
      converter = DurationConverter.class,
      defaultValue = "30s",
      description = "Wait this long for outstanding acks at the end (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed for random placeholders (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    FleetOptions options =
        new FleetOptions(
            connection.settings(),
            devices,
            devicePrefix,
            Template.compile(topic),
            payloadGenerator(),
            qos,
            rate,
            rampUp,
            duration,
            count,
            window,
            threads != null ? threads : FleetOptions.DEFAULT_PACER_THREADS,
            drainTimeout,
            seed);
    SimClock clock = SimClock.system();
    RunSummary summary;
    try (Fleet fleet = new Fleet(options, clock);
        ProgressReporter progress =
            new ProgressReporter(
                fleet::sample,
                ProgressFormat::run,
                clock,
                output.progress(),
                ProgressReporter.DEFAULT_PERIOD,
                ProgressReporter.DEFAULT_MAX_POINTS);
        StopOnSignal signal = new StopOnSignal(fleet::requestStop)) {
      fleet.start();
      progress.start();
      fleet.awaitCompletion();
      progress.close();
      summary = fleet.summary(progress.timeline());
      output.emit(summary, SummaryText.run(summary));
    }
    return summary.connectFailures() > 0 || summary.failed() > 0 ? 1 : 0;
  }

  private PayloadGenerator payloadGenerator() throws java.io.IOException {
    if (payload.templateFile != null) {
      return new TemplatePayload(Template.compile(Files.readString(payload.templateFile)));
    }
    if (payload.template != null) {
      return new TemplatePayload(Template.compile(payload.template));
    }
    return new SizedPayload(payload.size);
  }
}
