package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the shipped CLI finds its configuration, as separate processes: {@code ./outpost.yaml} first,
 * then {@code $OUTPOST_CONFIG}; relative paths in a file resolve against the file's directory, not
 * the working directory; a missing admin token exits 66 and an unreadable one 77, each saying
 * which.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConfigResolutionIT {

  private static final String CONFIG =
      """
      broker: {listeners: [{host: 127.0.0.1, port: 0}]}
      storage: {dir: ./data}
      admin: {listen: "127.0.0.1:1"}
      """;

  @TempDir Path dir;

  private Path site;
  private Path elsewhere;

  private record Run(int exit, String out, String err) {}

  @BeforeEach
  void layout() throws Exception {
    site = Files.createDirectories(dir.resolve("site"));
    elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    Files.writeString(site.resolve("outpost.yaml"), CONFIG);
    Files.createDirectories(site.resolve("data"));
  }

  private Run cli(Path workDir, Map<String, String> env, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-jar",
                Artifacts.JAR.toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Path out = dir.resolve("cli.out");
    Path err = dir.resolve("cli.err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove("OUTPOST_CONFIG");
    builder.environment().putAll(env);
    Process process = builder.start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command + " did not finish");
      }
      return new Run(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  @Test
  void outpostYamlInTheWorkingDirectoryIsUsedWithoutConfig() throws Exception {
    Run validate = cli(site, Map.of(), "validate");

    assertThat(validate.exit()).as(validate.toString()).isZero();
    assertThat(validate.out())
        .contains(site.resolve("outpost.yaml") + ": OK")
        .contains("data " + site.resolve("data"));
  }

  @Test
  void outpostConfigIsUsedElsewhereAndRelativePathsResolveAgainstTheFilesDirectory()
      throws Exception {
    Run validate =
        cli(
            elsewhere,
            Map.of("OUTPOST_CONFIG", site.resolve("outpost.yaml").toString()),
            "validate");

    assertThat(validate.exit()).as(validate.toString()).isZero();
    assertThat(validate.out())
        .contains(site.resolve("outpost.yaml") + ": OK")
        .as("storage.dir ./data is next to the file, not in the working directory")
        .contains("data " + site.resolve("data"))
        .doesNotContain(elsewhere.resolve("data").toString());
  }

  @Test
  void aMissingTokenExits66AndAnUnreadableOneExits77NamingTheCause() throws Exception {
    Run missing =
        cli(elsewhere, Map.of(), "status", "--config", site.resolve("outpost.yaml").toString());
    assertThat(missing.exit()).as(missing.toString()).isEqualTo(66);
    assertThat(missing.err())
        .contains("no admin token at " + site.resolve("data").resolve("admin.token"))
        .doesNotContain("permission");

    Files.createDirectories(
        site.resolve("data").resolve("admin.token")); // there, but not a file that can be read
    Run unreadable =
        cli(elsewhere, Map.of(), "status", "--config", site.resolve("outpost.yaml").toString());
    assertThat(unreadable.exit()).as(unreadable.toString()).isEqualTo(77);
    assertThat(unreadable.err())
        .contains("cannot read the admin token " + site.resolve("data").resolve("admin.token"));
  }
}
