package io.outpost.gateway.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.outpost.cloud.CloudLinkState;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionInfo;
import io.outpost.function.runtime.FunctionRuntime;
import io.outpost.function.runtime.FunctionState;
import io.outpost.gateway.admin.Upload;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.FleetOptions;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.fleet.DeploymentDocument.FunctionSpec;
import io.outpost.gateway.fleet.JobJournal.Active;
import io.outpost.gateway.fleet.JobJournal.Step;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one deployment in steps, each recorded in the {@link JobJournal} before it starts: {@code
 * download} (fetch and verify every artifact), {@code stage} (check each package is the declared
 * function and version, compose the new configuration, record what runs now), {@code switch}
 * (configuration overlay and function versions), {@code health} (every deployed function RUNNING,
 * the configuration in force, the cloud link up, for the whole window). A failure after the stage
 * restores what ran before. Blocking; runs on the fleet apply thread only.
 */
final class DeploymentApplier {

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentApplier.class);
  private static final long HEALTH_POLL_MILLIS = 200;

  /** Under the fleet directory: process and wasm packages unpacked for the switch. */
  private static final String STAGED = "staged";

  private static final ObjectMapper YAML = new YAMLMapper();

  private final FleetHost host;
  private final ArtifactFetcher fetcher;
  private final JobJournal journal;
  private final Path fleetDir;
  private final FleetOptions options;
  private final Clock clock;

  DeploymentApplier(
      FleetHost host,
      ArtifactFetcher fetcher,
      JobJournal journal,
      Path fleetDir,
      FleetOptions options,
      Clock clock) {
    this.host = host;
    this.fetcher = fetcher;
    this.journal = journal;
    this.fleetDir = fleetDir;
    this.options = options;
    this.clock = clock;
  }

  /**
   * Runs the deployment from the step {@code active} reached before the switch.
   *
   * @param progress gets (step, detail) for IN_PROGRESS reports
   * @param canceled asked right before the switch; true abandons the job with nothing changed
   * @return false when canceled before the switch
   * @throws StepFailure when a step failed; whatever was switched is already restored
   */
  boolean apply(
      Active active,
      DeploymentDocument document,
      BiConsumer<String, String> progress,
      BooleanSupplier canceled)
      throws StepFailure, InterruptedException, IOException {
    // download
    Map<String, Path> packages = new LinkedHashMap<>();
    Set<String> keep = new HashSet<>();
    document.functions().forEach(f -> keep.add(f.sha256()));
    int n = 0;
    for (FunctionSpec f : document.functions()) {
      progress.accept("download", (++n) + "/" + document.functions().size() + " " + f.name());
      if (!alreadyRunning(f)) {
        packages.put(f.name(), fetcher.fetch(f, keep));
      }
    }
    // stage
    journal.write(journal.state().withActive(active.at(Step.STAGE)));
    progress.accept("stage", packages.size() + " function(s)");
    deleteTree(fleetDir.resolve(STAGED));
    for (FunctionSpec f : document.functions()) {
      if (packages.containsKey(f.name())) {
        String runtime = checkPackage(f, packages.get(f.name()));
        if (!"java".equals(runtime)) {
          // process and wasm functions run from their files: unpack, with their unix modes
          packages.put(f.name(), unpack(f, packages.get(f.name())));
        }
      }
    }
    JsonNode previousOverlay = ConfigOverlay.read(fleetDir);
    JsonNode nextOverlay = ConfigOverlay.next(previousOverlay, document);
    OutpostConfig next;
    try {
      next = ConfigOverlay.applyTo(host.baseConfig(), nextOverlay);
    } catch (ConfigException e) {
      throw new StepFailure("stage", "config." + e.keyPath() + ": " + e.reason());
    }
    Map<String, String> previous = new LinkedHashMap<>();
    for (FunctionSpec f : document.functions()) {
      previous.put(
          f.name(), host.functions().get(f.name()).map(FunctionInfo::version).orElse(null));
    }
    if (canceled.getAsBoolean()) {
      return false;
    }
    // switch: from here on a failure or a restart restores `previous`
    Active switching =
        new Active(
            active.jobId(),
            active.versionNumber(),
            Step.SWITCH,
            active.document(),
            previous,
            previousOverlay);
    journal.write(journal.state().withActive(switching));
    progress.accept("switch", packages.size() + " function(s)");
    try {
      ConfigOverlay.write(fleetDir, nextOverlay);
      host.applyConfig(next);
      for (Map.Entry<String, Path> p : packages.entrySet()) {
        host.functions().deploy(p.getValue());
      }
    } catch (FunctionDeploymentException | IllegalArgumentException | IllegalStateException e) {
      rollback(switching);
      throw new StepFailure("switch", message(e));
    }
    // health gate
    journal.write(journal.state().withActive(switching.at(Step.HEALTH)));
    progress.accept("health", options.healthWindowSeconds() + "s window");
    try {
      healthGate(document, next);
    } catch (StepFailure e) {
      rollback(switching);
      throw e;
    }
    return true;
  }

  private boolean alreadyRunning(FunctionSpec f) {
    Optional<FunctionInfo> info = host.functions().get(f.name());
    return info.isPresent()
        && info.get().version().equals(f.version())
        && info.get().state() != FunctionState.STOPPED;
  }

  /**
   * A zipped process or wasm package unpacked under the fleet directory, within the admin API's
   * bounds for uploaded packages ({@code admin.maxUnpackedBytes}, {@code admin.maxPackageFiles}).
   */
  private Path unpack(FunctionSpec f, Path zip) throws StepFailure {
    try {
      return Upload.stage(
          fleetDir.resolve(STAGED),
          Files.readAllBytes(zip),
          true,
          host.config().admin().uploadLimits());
    } catch (IOException e) {
      throw new StepFailure("stage", f.name() + ": cannot unpack the package: " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The package must be the function and version the document declares; returns its runtime. */
  private static String checkPackage(FunctionSpec f, Path jar) throws StepFailure {
    try (JarFile file = new JarFile(jar.toFile())) {
      ZipEntry entry = file.getEntry("outpost-function.yaml");
      if (entry == null) {
        throw new StepFailure("stage", f.name() + ": the package has no outpost-function.yaml");
      }
      JsonNode descriptor;
      try (InputStream in = file.getInputStream(entry)) {
        descriptor = YAML.readTree(in);
      }
      String name = descriptor.path("name").asText("");
      String version = descriptor.path("version").asText("");
      if (!name.equals(f.name()) || !version.equals(f.version())) {
        throw new StepFailure(
            "stage",
            f.name()
                + ": the package is "
                + name
                + " "
                + version
                + ", the deployment says "
                + f.name()
                + " "
                + f.version());
      }
      return descriptor.path("runtime").asText("java");
    } catch (IOException e) {
      throw new StepFailure("stage", f.name() + ": the package is not a readable function jar");
    }
  }

  private void healthGate(DeploymentDocument document, OutpostConfig next)
      throws StepFailure, InterruptedException {
    long end = clock.millis() + options.healthWindowSeconds() * 1000L;
    do {
      for (FunctionSpec f : document.functions()) {
        FunctionInfo info = host.functions().get(f.name()).orElse(null);
        if (info == null) {
          throw new StepFailure("health", f.name() + " is not deployed");
        }
        if (info.state() != FunctionState.RUNNING) {
          throw new StepFailure(
              "health",
              f.name()
                  + " "
                  + info.version()
                  + " is "
                  + info.state()
                  + (info.lastError() == null ? "" : ": " + info.lastError()));
        }
      }
      if (!host.config().routes().equals(next.routes())) {
        throw new StepFailure("health", "the deployed routes are not in force");
      }
      Thread.sleep(HEALTH_POLL_MILLIS);
    } while (clock.millis() < end);
    CloudLinkState link = host.cloud() == null ? CloudLinkState.STOPPED : host.cloud().state();
    if (link != CloudLinkState.ONLINE) {
      throw new StepFailure("health", "cloud link is " + link);
    }
  }

  /**
   * Restores the function versions and the configuration overlay recorded before the switch. Safe
   * to run again after a restart part-way through.
   */
  void rollback(Active switched) throws IOException {
    FunctionRuntime functions = host.functions();
    for (Map.Entry<String, String> e : switched.previousFunctions().entrySet()) {
      String name = e.getKey();
      String before = e.getValue();
      Optional<FunctionInfo> now = functions.get(name);
      try {
        if (before == null) {
          if (now.isPresent()) {
            functions.remove(name);
          }
          continue;
        }
        for (int i = 0;
            i < 10
                && now.isPresent()
                && !now.get().version().equals(before)
                && now.get().previousVersions().contains(before);
            i++) {
          functions.rollback(name);
          now = functions.get(name);
        }
        if (now.isEmpty() || !now.get().version().equals(before)) {
          LOG.error(
              "Rollback of {}: version {} is no longer stored; it runs {}",
              name,
              before,
              now.map(FunctionInfo::version).orElse("nothing"));
        }
      } catch (FunctionDeploymentException | IllegalStateException ex) {
        LOG.error("Rollback of function {} to {} failed", name, before, ex);
      }
    }
    ConfigOverlay.write(fleetDir, switched.previousOverlay());
    try {
      host.applyConfig(ConfigOverlay.applyTo(host.baseConfig(), switched.previousOverlay()));
    } catch (ConfigException | IllegalArgumentException e) {
      LOG.error("Restoring the configuration before the deployment failed", e);
    }
  }

  private static String message(RuntimeException e) {
    return e.getMessage() == null ? "the switch failed" : e.getMessage();
  }

  /** The functions a document deploys, with versions (for drift checks). */
  static Map<String, String> versions(DeploymentDocument document) {
    Map<String, String> v = new LinkedHashMap<>();
    document.functions().forEach(f -> v.put(f.name(), f.version()));
    return v;
  }

  static List<String> names(DeploymentDocument document) {
    return document.functions().stream().map(FunctionSpec::name).toList();
  }
}
