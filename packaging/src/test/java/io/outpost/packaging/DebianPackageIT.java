package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built .deb as dpkg sees it: metadata, installed files and their modes, conffiles, maintainer
 * scripts.
 */
class DebianPackageIT {

  @TempDir static Path work;

  private static Path deb;

  @BeforeAll
  static void requireDpkgDeb() throws IOException {
    Tool.assumeInstalled("dpkg-deb");
    deb = Artifacts.deb();
  }

  @Test
  void dependsOnAHeadlessJava17RuntimeAndIsArchitectureIndependent() throws Exception {
    String fields =
        Tool.succeed("dpkg-deb", "--field", deb.toString(), "Package", "Architecture", "Depends");

    assertThat(fields)
        .contains("Package: outpost", "Architecture: all")
        .containsPattern("Depends: .*java17-runtime-headless")
        .containsPattern("Depends: .*adduser");
  }

  @Test
  void installsTheJarLauncherUnitAndConfigurationWithTheirModes() throws Exception {
    Map<String, String> files =
        regularFiles(Tool.succeed("dpkg-deb", "--contents", deb.toString()));
    Map<String, String> sdk = new LinkedHashMap<>(files);
    sdk.keySet().removeIf(name -> !name.startsWith(SDK));
    files.keySet().removeIf(name -> name.startsWith(SDK));

    // the Maven version (the package's own turns SNAPSHOT into a Debian version)
    String version =
        sdk.keySet().stream()
            .filter(name -> name.startsWith(SDK + "io/outpost/outpost-function-api/"))
            .map(name -> name.split("/")[8])
            .findFirst()
            .orElseThrow(() -> new AssertionError("no function API in the SDK: " + sdk.keySet()));
    String api = "io/outpost/outpost-function-api/" + version + "/outpost-function-api-" + version;
    String testkit =
        "io/outpost/outpost-function-testkit/" + version + "/outpost-function-testkit-" + version;
    assertThat(sdk)
        .as(
            "the function SDK: a Maven repository, the Python testkit and the wasm scaffold's npm"
                + " packages, readable by all")
        .containsKeys(
            SDK + api + ".jar",
            SDK + api + ".pom",
            SDK + api + "-sources.jar",
            SDK + api + "-javadoc.jar",
            SDK + testkit + ".jar",
            SDK + testkit + ".pom",
            SDK + testkit + "-sources.jar",
            SDK + testkit + "-javadoc.jar",
            SDK + "python/outpost_testkit.py")
        .containsKeys(
            SdkNpmPackages.tarballs().stream()
                .map(tarball -> SDK + "npm/" + tarball)
                .toArray(String[]::new))
        .allSatisfy((name, mode) -> assertThat(mode).isEqualTo("-rw-r--r-- root/root"));
    assertThat(files)
        .containsOnly(
            entry("./usr/share/outpost/outpost.jar", "-rw-r--r-- root/root"),
            entry("./usr/share/outpost/grafana/outpost-dashboard.json", "-rw-r--r-- root/root"),
            entry("./usr/share/outpost/prometheus/outpost-alerts.yml", "-rw-r--r-- root/root"),
            entry("./usr/bin/outpost", "-rwxr-xr-x root/root"),
            entry("./lib/systemd/system/outpost.service", "-rw-r--r-- root/root"),
            entry("./etc/outpost/outpost.yaml", "-rw-r----- root/root"),
            entry("./etc/default/outpost", "-rw-r--r-- root/root"),
            entry("./usr/share/doc/outpost/operations.md", "-rw-r--r-- root/root"));
  }

  @Test
  void shipsTheGrafanaDashboardAndAlertRulesAsInTheSources() throws Exception {
    Path root = extract("dashboard-root");

    assertThat(root.resolve("usr/share/outpost/grafana/outpost-dashboard.json"))
        .hasSameBinaryContentAs(GrafanaDashboard.SOURCE);
    assertThat(root.resolve("usr/share/outpost/prometheus/outpost-alerts.yml"))
        .hasSameBinaryContentAs(AlertRules.SOURCE);
  }

  @Test
  void marksTheConfigurationAndJvmOptionsAsConffiles() throws Exception {
    String conffiles = Tool.succeed("dpkg-deb", "--info", deb.toString(), "conffiles");

    assertThat(conffiles.lines())
        .containsExactlyInAnyOrder("/etc/outpost/outpost.yaml", "/etc/default/outpost");
  }

  @Test
  void maintainerScriptsAreValidShellAndKeepDataUnlessPurged() throws Exception {
    Path control = work.resolve("control");
    Tool.succeed("dpkg-deb", "--control", deb.toString(), control.toString());

    for (String script : new String[] {"postinst", "prerm", "postrm"}) {
      Path file = control.resolve(script);
      assertThat(file).isExecutable();
      Tool.Result syntax = Tool.run("sh", "-n", file.toString());
      assertThat(syntax.exitCode()).as(script + ": " + syntax.output()).isZero();
    }
    String postinst = Files.readString(control.resolve("postinst"));
    assertThat(postinst)
        .contains(
            "adduser --system",
            "install -d -m 0750 -o \"$USER_NAME\"",
            "DATA_DIR=/var/lib/outpost",
            "deb-systemd-helper enable",
            "deb-systemd-invoke start");
    assertThat(postinst.indexOf("/usr/bin/outpost update-cds-archive || "))
        .as(
            "the class-data sharing archive is built before the service starts, and never fails the installation")
        .isPositive()
        .isLessThan(postinst.indexOf("deb-systemd-invoke start"));
    String postrm = Files.readString(control.resolve("postrm"));
    String removeBranch = postrm.substring(postrm.indexOf("  remove)"), postrm.indexOf("  purge)"));
    assertThat(postrm).contains("CDS_DIR=/var/cache/outpost");
    assertThat(removeBranch)
        .as("remove deletes only the archive")
        .contains("rm -rf \"$CDS_DIR\"")
        .doesNotContain("$DATA_DIR", "$CONF_DIR");
    assertThat(postrm.substring(postrm.indexOf("  purge)")))
        .contains("rm -rf \"$DATA_DIR\" \"$CONF_DIR\" \"$CDS_DIR\"");
    assertThat(Files.readString(control.resolve("prerm"))).contains("deb-systemd-invoke stop");
  }

  @Test
  void rebuildsTheClassDataArchiveWhenAJdkIsInstalledOrUpgraded() throws Exception {
    Path control = work.resolve("trigger-control");
    Tool.succeed("dpkg-deb", "--control", deb.toString(), control.toString());

    assertThat(control.resolve("triggers"))
        .content()
        .isEqualToIgnoringNewLines("interest-noawait /usr/lib/jvm");
    String postinst = Files.readString(control.resolve("postinst"));
    String triggered =
        postinst.substring(postinst.indexOf("  triggered)"), postinst.indexOf("  abort-upgrade|"));
    assertThat(triggered)
        .contains("update_cds_archive")
        .doesNotContain("deb-systemd-invoke", "systemctl");
  }

  @Test
  void packagedConfigurationIsValidAndListensOnLoopbackWithDataInVarLib() throws Exception {
    Path root = extract("validate-root");
    Path config = root.resolve("etc/outpost/outpost.yaml");
    assertThat(Files.readString(config))
        .contains(
            "dir: /var/lib/outpost", "host: 127.0.0.1", "port: 1883", "listen: 127.0.0.1:8181");

    // validate also checks the data directory; point it at an existing one to check just the
    // configuration keys
    Path copy =
        Files.writeString(
            work.resolve("packaged.yaml"),
            Files.readString(config).replace("/var/lib/outpost", work.resolve("data").toString()));
    Files.createDirectories(work.resolve("data"));
    // OUTPOST_CONFIG given by the caller wins over the packaged default (/etc/outpost/outpost.yaml)
    Tool.Result result =
        Tool.run(
            work,
            Map.of(
                "OUTPOST_DEFAULTS", root.resolve("etc/default/outpost").toString(),
                "OUTPOST_CONFIG", copy.toString()),
            Tool.DEFAULT_TIMEOUT,
            root.resolve("usr/bin/outpost").toString(),
            "validate");

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains(copy + ": OK");
  }

  static Path extract(String name) throws IOException, InterruptedException {
    Path root = work.resolve(name);
    Tool.succeed("dpkg-deb", "--extract", deb.toString(), root.toString());
    return root;
  }

  private static final String SDK = "./usr/share/outpost/sdk/";

  /**
   * {@code path -> "mode owner/group"} of the regular files in {@code dpkg-deb --contents} output.
   */
  private static Map<String, String> regularFiles(String listing) {
    Map<String, String> files = new LinkedHashMap<>();
    for (String line : listing.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 6 && f[0].startsWith("-")) {
        files.put(f[5], f[0] + " " + f[1]);
      }
    }
    return files;
  }
}
