package io.outpost.gateway.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.fleet.DeploymentDocument;
import io.outpost.gateway.fleet.DeploymentException;
import io.outpost.gateway.fleet.DeploymentParser;
import io.outpost.gateway.fleet.JobsService;
import io.outpost.gateway.fleet.JobsService.Execution;
import io.outpost.gateway.fleet.JobsTopics;
import io.outpost.gateway.fleet.Signatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code outpost fleet}: deployments to many gateways over the AWS IoT Jobs and Shadow MQTT topics.
 */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description =
        "Fleet deployments: validate and sign deployment packages, deploy to gateways over any MQTT broker "
            + "(AWS IoT Jobs topics), list what each gateway reported.",
    subcommands = {
      FleetCommand.Validate.class,
      FleetCommand.Sign.class,
      FleetCommand.Deploy.class,
      FleetCommand.Status.class
    })
final class FleetCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  static DeploymentDocument read(Path file, PrintWriter err) {
    try {
      return new DeploymentParser().parse(Files.readAllBytes(file));
    } catch (IOException e) {
      err.println("outpost: " + file + ": cannot be read");
      return null;
    } catch (DeploymentException e) {
      err.println("outpost: " + file + ": " + e.getMessage());
      return null;
    }
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description =
          "Check a deployment document. Exit 0 when valid, 65 naming the first bad field otherwise.")
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "DEPLOYMENT.json")
    Path file;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      DeploymentDocument d = read(file, err);
      if (d == null) {
        return 65;
      }
      spec.commandLine()
          .getOut()
          .println(
              file
                  + ": OK — schema "
                  + d.schemaVersion()
                  + ", "
                  + d.functions().size()
                  + " function(s)"
                  + (d.routes() == null ? "" : ", " + d.routes().size() + " route(s)"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description =
          "Sign a function package with an Ed25519 or ECDSA P-256 private key (PEM, PKCS#8). Writes "
              + "PACKAGE.sig (base64, the deployment's artifact.signature) and prints the package's sha256.")
  static final class Sign implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "KEY.pem")
    Path key;

    @Parameters(paramLabel = "PACKAGE")
    Path file;

    @Override
    public Integer call() {
      try {
        byte[] signature = Signatures.sign(file, Files.readString(key, StandardCharsets.US_ASCII));
        Path out = file.resolveSibling(file.getFileName() + ".sig");
        String encoded = Base64.getEncoder().encodeToString(signature);
        Files.writeString(out, encoded + "\n", StandardCharsets.US_ASCII);
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        String sha = java.util.HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
        spec.commandLine().getOut().println("sha256    " + sha);
        spec.commandLine().getOut().println("signature " + encoded);
        spec.commandLine().getOut().println("written to " + out);
        return ExitCodes.OK;
      } catch (IOException e) {
        spec.commandLine().getErr().println("outpost: cannot read or write: " + e.getMessage());
        return ExitCodes.NOT_FOUND;
      } catch (GeneralSecurityException | RuntimeException e) {
        spec.commandLine()
            .getErr()
            .println(
                "outpost: " + key + ": not an Ed25519 or ECDSA P-256 private key in PEM (PKCS#8)");
        return 65;
      }
    }
  }

  @Command(
      name = "deploy",
      mixinStandardHelpOptions = true,
      description =
          "Deploy to gateways over an MQTT broker, playing AWS IoT Jobs on its topics: publishes the job, "
              + "answers the gateways, prints each status change and a final table. Exit 0 when every gateway SUCCEEDED, "
              + "1 when any did not.")
  static final class Deploy implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--broker", required = true, description = "the cloud broker, tcp://host:port")
    String broker;

    @Option(
        names = "--thing",
        required = true,
        description = "a gateway's thing name (repeat for each)")
    List<String> things;

    @Option(names = "--job-id", description = "job id; default fleet-<time>")
    String jobId;

    @Option(
        names = "--timeout",
        defaultValue = "600",
        description = "seconds before open executions end TIMED_OUT")
    long timeoutSeconds;

    @Parameters(paramLabel = "DEPLOYMENT.json")
    Path file;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (read(file, err) == null) {
        return 65;
      }
      JsonNode document = JsonMapper.builder().build().readTree(file.toFile());
      String id = jobId != null ? jobId : "fleet-" + Instant.now().toEpochMilli();
      CountDownLatch done = new CountDownLatch(things.size());
      Map<String, String> seen = new java.util.concurrent.ConcurrentHashMap<>();
      Instant started = Instant.now();
      try (JobsService jobs =
          new JobsService(
              broker,
              "outpost-fleet-" + UUID.randomUUID(),
              e -> {
                if (!e.jobId().equals(id)) {
                  return;
                }
                String line = e.status() + " " + e.statusDetails();
                if (!line.equals(seen.put(e.thing(), line))) {
                  out.printf(
                      "%6.1fs  %-24s %-12s %s%n",
                      Duration.between(started, Instant.now()).toMillis() / 1000.0,
                      e.thing(),
                      e.status(),
                      describe(e));
                  if (e.terminal()) {
                    done.countDown();
                  }
                }
              })) {
        jobs.connect();
        out.println("job " + id + " queued for " + things.size() + " gateway(s)");
        jobs.queue(id, things, document);
        if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
          jobs.timeOut(id);
        }
        Map<String, Execution> result = jobs.executions(id);
        Table table = new Table("THING", "STATUS", "STEP", "DETAIL");
        int failed = 0;
        for (Execution e : result.values()) {
          table.row(
              e.thing(),
              e.status(),
              e.statusDetails().getOrDefault("step", ""),
              e.statusDetails()
                  .getOrDefault("reason", e.statusDetails().getOrDefault("detail", "")));
          failed += e.status().equals("SUCCEEDED") ? 0 : 1;
        }
        out.println();
        table.print(out);
        out.printf(
            "%d of %d succeeded in %.1fs, %.1f jobs messages per gateway%n",
            result.size() - failed,
            result.size(),
            Duration.between(started, Instant.now()).toMillis() / 1000.0,
            (double) jobs.messages() / Math.max(1, result.size()));
        return failed == 0 ? ExitCodes.OK : 1;
      } catch (MqttException e) {
        err.println("outpost: broker " + broker + " unreachable: " + e.getMessage());
        return ExitCodes.UNAVAILABLE;
      }
    }

    private static String describe(Execution e) {
      Map<String, String> d = e.statusDetails();
      List<String> parts = new ArrayList<>();
      if (d.containsKey("step")) {
        parts.add(d.get("step"));
      }
      if (d.containsKey("detail")) {
        parts.add(d.get("detail"));
      }
      if (d.containsKey("reason")) {
        parts.add(d.get("reason"));
      }
      return String.join(": ", parts);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "List what each gateway last reported on its 'outpost' shadow (retained on a plain broker: set "
              + "fleet.retainReports on the gateways).")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--broker", required = true, description = "the cloud broker, tcp://host:port")
    String broker;

    @Option(names = "--thing", description = "only these things; wait for each of them")
    List<String> things;

    @Option(names = "--wait", defaultValue = "3", description = "seconds to collect reports")
    long waitSeconds;

    @Override
    public Integer call() throws Exception {
      Map<String, JsonNode> reports = new java.util.concurrent.ConcurrentSkipListMap<>();
      CountDownLatch all = new CountDownLatch(things == null ? Integer.MAX_VALUE : things.size());
      JsonMapper json = JsonMapper.builder().build();
      MqttAsyncClient client =
          new MqttAsyncClient(
              broker, "outpost-fleet-status-" + UUID.randomUUID(), new MemoryPersistence());
      try {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options).waitForCompletion(10_000);
        client
            .subscribe(
                "$aws/things/+/shadow/name/" + JobsTopics.SHADOW_NAME + "/update",
                1,
                (topic, m) -> {
                  String thing = JobsTopics.thingOf(topic);
                  if (things == null || things.contains(thing)) {
                    if (reports.put(
                            thing, json.readTree(m.getPayload()).path("state").path("reported"))
                        == null) {
                      all.countDown();
                    }
                  }
                })
            .waitForCompletion(10_000);
        all.await(waitSeconds, TimeUnit.SECONDS);
      } catch (MqttException e) {
        spec.commandLine()
            .getErr()
            .println("outpost: broker " + broker + " unreachable: " + e.getMessage());
        return ExitCodes.UNAVAILABLE;
      } finally {
        if (client.isConnected()) {
          client.disconnect().waitForCompletion(2000);
        }
        client.close();
      }
      Table table =
          new Table(
              "THING",
              "VERSION",
              "FUNCTIONS",
              "CONFIG",
              "LAST DEPLOYMENT",
              "LINK",
              "SPOOL",
              "DRIFT");
      for (Map.Entry<String, JsonNode> r : reports.entrySet()) {
        JsonNode s = r.getValue();
        List<String> fns = new ArrayList<>();
        s.path("functions")
            .fields()
            .forEachRemaining(
                f ->
                    fns.add(
                        f.getKey()
                            + "@"
                            + f.getValue().path("version").asText()
                            + " "
                            + f.getValue().path("state").asText()));
        JsonNode last = s.path("lastDeployment");
        String deployment =
            last.isMissingNode()
                ? ""
                : last.path("jobId").asText()
                    + " "
                    + last.path("status").asText()
                    + (last.has("reason")
                        ? " ("
                            + last.path("step").asText()
                            + ": "
                            + last.path("reason").asText()
                            + ")"
                        : "");
        table.row(
            r.getKey(),
            s.path("outpostVersion").asText(),
            String.join(", ", fns),
            s.path("configRevision").asText(),
            deployment,
            s.path("cloudLink").asText(),
            s.path("spoolDepth").asText(),
            s.path("drift").size() == 0 ? "none" : s.path("drift").toString());
      }
      PrintWriter out = spec.commandLine().getOut();
      table.print(out);
      if (things != null) {
        List<String> missing = things.stream().filter(t -> !reports.containsKey(t)).toList();
        if (!missing.isEmpty()) {
          out.println("no report from: " + String.join(", ", missing));
          return 1;
        }
      }
      return ExitCodes.OK;
    }
  }
}
