package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code docs/functions.md} as written: every {@code guide:run} block, in order, in one
 * directory, with the tarball's {@code outpost} on the PATH and a packaged daemon running; each
 * must exit 0 and print the lines of its {@code guide:output} block. Blocks marked {@code
 * guide:run-later} document commands this build does not have yet and are skipped; {@code
 * guide:run-node} blocks run where Node.js and npm are installed, with npm cut off from every
 * registry ({@link OfflineNpm}).
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class GuideIT {

  static final Path GUIDE = Path.of("..", "docs", "functions.md");

  private static final Duration BLOCK_TIMEOUT = Duration.ofMinutes(5);

  /** {@code -Doutpost.it.online=true} also runs the blocks that need the npm registry. */
  static final String ONLINE_PROPERTY = "outpost.it.online";

  @TempDir Path dir;

  @Test
  void everyRunnableBlockOfTheFunctionsGuideSucceedsAsWritten() throws Exception {
    List<GuideBlocks.Block> blocks = GuideBlocks.parse(Files.readString(GUIDE));
    assertThat(blocks).filteredOn(b -> b.mode() == GuideBlocks.Mode.RUN).isNotEmpty();
    // tests talk to loopback only: the npm registry steps run when asked for, where npm is there
    boolean online = Boolean.getBoolean(ONLINE_PROPERTY) && Tool.installed("npm");
    boolean node = Tool.installed("node") && Tool.installed("npm");

    Path unpacked = Files.createDirectories(dir.resolve("tarball"));
    Tool.succeed("tar", "-xzf", Artifacts.tarball().toString(), "-C", unpacked.toString());
    Path launcher;
    try (var entries = Files.list(unpacked)) {
      launcher = entries.findFirst().orElseThrow().resolve("bin/outpost");
    }
    Path work = Files.createDirectories(dir.resolve("work"));
    Path config =
        Files.writeString(
            work.resolve("outpost.yaml"),
            """
            broker: {listeners: [{host: 127.0.0.1, port: 0}]}
            storage: {dir: ./outpost-data}
            admin: {listen: "127.0.0.1:0"}
            """);
    try (LaunchedDaemon daemon = LaunchedDaemon.jar(work, "run", "--config", config.toString());
        OfflineNpm npm = new OfflineNpm(dir.resolve("npm"))) {
      int adminPort = daemon.awaitReady(90).adminPort();
      Path bin = outpostOnPath(launcher, config, adminPort);
      Map<String, String> env =
          Map.of(
              "PATH",
              bin + ":" + System.getenv("PATH"),
              "OUTPOST_DEFAULTS",
              dir.resolve("no-defaults").toString(),
              "OUTPOST_CDS_DIR",
              dir.resolve("no-cds").toString(),
              "MAVEN_OPTS",
              "-Dmaven.repo.local=" + ScaffoldRepository.create(dir.resolve("m2")));
      // every block but the registry ones runs with npm cut off from the registry
      Map<String, String> offline = new HashMap<>(env);
      offline.putAll(npm.environment());

      for (GuideBlocks.Block block : blocks) {
        if (block.mode() == GuideBlocks.Mode.LATER
            || (block.mode() == GuideBlocks.Mode.ONLINE && !online)
            || (block.mode() == GuideBlocks.Mode.NODE && !node)) {
          continue;
        }
        Tool.Result result =
            Tool.run(
                work,
                block.mode() == GuideBlocks.Mode.ONLINE ? env : offline,
                BLOCK_TIMEOUT,
                "sh",
                "-e",
                "-c",
                block.script());
        String what =
            GUIDE + ":" + block.line() + "\n" + block.script() + "--- printed:\n" + result.output();
        assertThat(result.exitCode()).as(what).isZero();
        for (String line : block.expected()) {
          assertThat(result.output()).as(what).contains(line);
        }
      }
      assertThat(npm.registryConnections()).as("npm's connections to a registry").isZero();
      daemon.terminate();
      daemon.awaitExit(60);
    }
  }

  /**
   * An {@code outpost} for the guide's shell: the packaged launcher, told where the test daemon's
   * admin API listens (an ephemeral port, which its configuration cannot say) for the commands that
   * talk to it.
   */
  private Path outpostOnPath(Path launcher, Path config, int adminPort) throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path outpost = bin.resolve("outpost");
    Files.writeString(
        outpost,
        """
        #!/bin/sh
        case "$1/$2" in
          functions/init|functions/validate|functions/--help|functions/) exec '%1$s' "$@" ;;
          functions/*) exec '%1$s' "$@" --config '%2$s' --admin-url 'http://127.0.0.1:%3$d' ;;
          *) exec '%1$s' "$@" ;;
        esac
        """
            .formatted(launcher, config, adminPort));
    Files.setPosixFilePermissions(outpost, PosixFilePermissions.fromString("rwxr-xr-x"));
    return bin;
  }
}
