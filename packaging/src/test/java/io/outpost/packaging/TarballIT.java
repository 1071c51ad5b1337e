package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tarball's {@code install.sh}, staged into a temporary root through {@code DESTDIR}. */
class TarballIT {

  private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Path unpacked;
  private Path stage;

  @BeforeEach
  void unpack() throws Exception {
    Tool.succeed("tar", "-xzf", Artifacts.tarball().toString(), "-C", dir.toString());
    try (var entries = Files.list(dir)) {
      unpacked =
          entries
              .filter(p -> p.getFileName().toString().startsWith("outpost-"))
              .findFirst()
              .orElseThrow();
    }
    stage = dir.resolve("stage");
  }

  @Test
  void installsUnderPrefixWithTheUnitPointingThere() throws Exception {
    install();

    assertThat(stage.resolve("usr/local/share/outpost/outpost.jar"))
        .hasSameBinaryContentAs(Artifacts.JAR);
    assertThat(stage.resolve("usr/local/bin/outpost")).isExecutable();
    assertThat(stage.resolve("var/cache/outpost"))
        .as("no class-data archive for a staged install")
        .doesNotExist();
    assertThat(stage.resolve("usr/local/share/doc/outpost/operations.md")).isRegularFile();
    assertThat(stage.resolve("usr/local/share/outpost/grafana/outpost-dashboard.json"))
        .hasSameBinaryContentAs(GrafanaDashboard.SOURCE);
    assertThat(mode("usr/local/share/outpost/grafana/outpost-dashboard.json"))
        .isEqualTo("rw-r--r--");
    assertThat(stage.resolve("usr/local/share/outpost/prometheus/outpost-alerts.yml"))
        .hasSameBinaryContentAs(AlertRules.SOURCE);
    assertThat(mode("usr/local/share/outpost/prometheus/outpost-alerts.yml"))
        .isEqualTo("rw-r--r--");
    assertThat(stage.resolve("usr/local/share/outpost/sdk/python/outpost_testkit.py"))
        .isRegularFile();
    assertThat(mode("usr/local/share/outpost/sdk/python/outpost_testkit.py"))
        .isEqualTo("rw-r--r--");
    assertThat(stage.resolve("usr/local/share/outpost/sdk/io/outpost/outpost-function-api"))
        .as("the function SDK, a Maven repository")
        .isDirectory();
    for (String tarball : SdkNpmPackages.tarballs()) {
      assertThat(mode("usr/local/share/outpost/sdk/npm/" + tarball))
          .as("the wasm scaffold's npm package " + tarball)
          .isEqualTo("rw-r--r--");
    }
    assertThat(mode("etc/outpost/outpost.yaml")).isEqualTo("rw-r-----");
    assertThat(mode("etc/default/outpost")).isEqualTo("rw-r--r--");
    assertThat(mode("var/lib/outpost")).isEqualTo("rwxr-x---");
    assertThat(Files.readString(stage.resolve("etc/systemd/system/outpost.service")).lines())
        .contains(
            "ExecStart=/usr/local/bin/outpost run --config /etc/outpost/outpost.yaml",
            "ExecStartPost=/usr/local/bin/outpost await-ready --config /etc/outpost/outpost.yaml --timeout 90")
        .noneMatch(line -> line.contains("/usr/bin/outpost"));

    Tool.Result version =
        Tool.run(
            dir,
            Map.of("OUTPOST_DEFAULTS", stage.resolve("etc/default/outpost").toString()),
            INSTALL_TIMEOUT,
            stage.resolve("usr/local/bin/outpost").toString(),
            "version");
    assertThat(version.exitCode()).as(version.output()).isZero();
  }

  @Test
  void upgradeKeepsTheOperatorsConfigurationAndOffersTheNewOneBesideIt() throws Exception {
    install();
    Path config = stage.resolve("etc/outpost/outpost.yaml");
    Files.writeString(config, "# edited by the operator\n");

    install();

    assertThat(config).hasContent("# edited by the operator");
    assertThat(stage.resolve("etc/outpost/outpost.yaml.new"))
        .hasSameTextualContentAs(unpacked.resolve("etc/outpost/outpost.yaml"));
  }

  @Test
  void uninstallKeepsConfigurationAndDataButPurgeDeletesThem() throws Exception {
    install();
    Path spool = Files.writeString(stage.resolve("var/lib/outpost/spool.db"), "not really sqlite");
    Path archive =
        Files.writeString(
            Files.createDirectories(stage.resolve("var/cache/outpost")).resolve("outpost.jsa"),
            "not really an archive");

    install("--uninstall");
    assertThat(stage.resolve("usr/local/bin/outpost")).doesNotExist();
    assertThat(stage.resolve("usr/local/share/outpost")).doesNotExist();
    assertThat(stage.resolve("etc/systemd/system/outpost.service")).doesNotExist();
    assertThat(spool).exists();
    assertThat(archive.getParent())
        .as("the class-data archive was made for the removed jar")
        .doesNotExist();
    assertThat(stage.resolve("etc/outpost/outpost.yaml")).exists();

    install("--purge");
    assertThat(stage.resolve("var/lib/outpost")).doesNotExist();
    assertThat(stage.resolve("etc/outpost")).doesNotExist();
    assertThat(stage.resolve("etc/default/outpost")).doesNotExist();
  }

  private void install(String... args) throws Exception {
    String[] command = new String[args.length + 2];
    command[0] = "sh";
    command[1] = unpacked.resolve("install.sh").toString();
    System.arraycopy(args, 0, command, 2, args.length);
    Tool.Result result =
        Tool.run(
            unpacked,
            Map.of("DESTDIR", stage.toString(), "PREFIX", "/usr/local"),
            INSTALL_TIMEOUT,
            command);
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  private String mode(String path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(stage.resolve(path)));
  }
}
