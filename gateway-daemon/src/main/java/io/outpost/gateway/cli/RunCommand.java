package io.outpost.gateway.cli;

import io.outpost.gateway.DataDirectory.DataDirectoryException;
import io.outpost.gateway.ExitCodes;
import io.outpost.gateway.Gateway;
import io.outpost.gateway.StartupException;
import io.outpost.gateway.VersionInfo;
import io.outpost.gateway.config.ConfigException;
import io.outpost.gateway.config.OutpostConfig;
import io.outpost.gateway.config.TlsFileChecks;
import io.outpost.gateway.logging.Logging;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code outpost run}: starts the daemon and keeps it running until SIGTERM or SIGINT. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description =
        "Run the gateway in the foreground until SIGTERM/SIGINT, then shut down gracefully (exit 0).")
final class RunCommand implements Callable<Integer> {

  /** What systemd's default TimeoutStopSec allows, minus a margin for the JVM to exit. */
  static final Duration SHUTDOWN_BUDGET = Duration.ofSeconds(9);

  private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ConfigOption config;

  @Override
  public Integer call() throws InterruptedException {
    Optional<OutpostConfig> maybeLoaded = config.loadOrReport();
    if (maybeLoaded.isEmpty()) {
      return ExitCodes.CONFIG;
    }
    OutpostConfig loaded = maybeLoaded.get();
    List<ConfigException> files = TlsFileChecks.problems(loaded, config.file());
    if (!files.isEmpty()) {
      // the same check as validate: a key or certificate that cannot be used is a configuration
      // error (78, which
      // systemd does not retry), not a software failure
      files.forEach(e -> System.err.println("outpost: invalid configuration: " + e.getMessage()));
      return ExitCodes.CONFIG;
    }
    Logging.apply(loaded.logging());
    LOG.info(
        "Outpost {} starting from {}: {}",
        VersionInfo.version(),
        config.describe(),
        StartupSummary.of(loaded));

    Gateway gateway;
    try {
      gateway = Gateway.start(loaded, config.file());
    } catch (DataDirectoryException e) {
      LOG.error("{}", e.getMessage());
      System.err.println("outpost: " + e.getMessage());
      return ExitCodes.CANT_CREATE;
    } catch (StartupException e) {
      LOG.error("start failed: {}", e.getMessage(), e.getCause());
      System.err.println("outpost: start failed: " + e.getMessage());
      return e.exitCode();
    }

    CountDownLatch stopRequested = new CountDownLatch(1);
    Gateway running = gateway;
    ShutdownSignals.install(
        signal -> {
          LOG.info("received SIG{}, shutting down", signal);
          stopRequested.countDown();
        },
        () -> {
          LOG.info("received SIGHUP, reloading the configuration");
          running.reload(); // logs its own outcome
        });
    LOG.info("Outpost ready: {}", gateway.describeEndpoints());
    stopRequested.await();
    boolean clean = gateway.stop(SHUTDOWN_BUDGET);
    LOG.info(
        clean
            ? "Outpost stopped cleanly"
            : "Outpost stopped, but not everything finished within {}",
        SHUTDOWN_BUDGET);
    return clean ? ExitCodes.OK : ExitCodes.SOFTWARE;
  }
}
