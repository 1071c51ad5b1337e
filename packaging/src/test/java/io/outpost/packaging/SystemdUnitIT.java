package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged systemd unit: valid for systemd, locked down, and wired to the daemon's readiness
 * and stop budget.
 */
class SystemdUnitIT {

  /**
   * The bar for {@code systemd-analyze security} (0 = fully locked down, 10 = unprotected).
   */
  static final double MAX_EXPOSURE = 2.0;

  static final Path UNIT =
      Path.of("src/deb/files/lib/systemd/system/outpost.service").toAbsolutePath();
  private static final Pattern EXPOSURE =
      Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");

  @TempDir Path dir;

  @BeforeAll
  static void requireSystemdAnalyze() {
    Tool.assumeInstalled("systemd-analyze");
  }

  @Test
  void exposureIsAtMostTwo() throws Exception {
    Tool.Result result =
        Tool.run("systemd-analyze", "security", "--offline=true", "--no-pager", UNIT.toString());

    Matcher m = EXPOSURE.matcher(result.output());
    assertThat(m.find()).as(result.output()).isTrue();
    double exposure = Double.parseDouble(m.group(1));
    assertThat(exposure).as(result.output()).isLessThanOrEqualTo(MAX_EXPOSURE);
  }

  @Test
  void verifiesWithoutWarnings() throws Exception {
    // verify insists that ExecStart's binary exists: point it at the launcher of the extracted
    // package
    Tool.assumeInstalled("dpkg-deb");
    Path root = dir.resolve("root");
    Tool.succeed("dpkg-deb", "--extract", Artifacts.deb().toString(), root.toString());
    Path unit = dir.resolve("outpost.service");
    Files.writeString(
        unit,
        Files.readString(root.resolve("lib/systemd/system/outpost.service"))
            .replace("/usr/bin/outpost", root.resolve("usr/bin/outpost").toString()));

    Tool.Result result = Tool.run("systemd-analyze", "verify", unit.toString());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).as("warnings about the unit").doesNotContain("outpost.service");
  }

  @Test
  void runsAsOutpostWithReadinessRestartAndStopBudget() throws Exception {
    String unit = Files.readString(UNIT);

    assertThat(unit.lines())
        .contains(
            "Type=exec",
            "User=outpost",
            "ExecStart=/usr/bin/outpost run --config /etc/outpost/outpost.yaml",
            "ExecStartPost=/usr/bin/outpost await-ready --config /etc/outpost/outpost.yaml --timeout 90",
            "WorkingDirectory=/var/lib/outpost",
            "StateDirectory=outpost",
            "Restart=on-failure",
            "RestartPreventExitStatus=64 73 78",
            "ProtectSystem=strict",
            "MemoryDenyWriteExecute=no");
    Matcher stop = Pattern.compile("(?m)^TimeoutStopSec=(\\d+)s$").matcher(unit);
    assertThat(stop.find()).isTrue();
    assertThat(Integer.parseInt(stop.group(1)))
        .as("above the daemon's 10 s graceful stop")
        .isGreaterThan(10);
  }
}
