package io.outpost.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.outpost.gateway.ExitCodes;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The direct {@code run} path reads exactly the command lines it takes as picocli reads them, and
 * no others.
 */
@Timeout(30)
class DirectRunTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "run",
        "run --config /etc/outpost/outpost.yaml",
        "run -c relative.yaml",
        "run --config=/etc/outpost/outpost.yaml"
      })
  void readsTheConfigFileAsPicocliDoes(String commandLine) {
    String[] args = commandLine.split(" ");

    ConfigOption direct = DirectRun.parse(args);

    assertThat(direct).isNotNull();
    assertThat(direct.file).isEqualTo(viaPicocli(args));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "--help",
        "run --help",
        "run -h",
        "run --config",
        "run --config a.yaml --extra",
        "run -ca.yaml",
        "run --config=",
        "run --config -x",
        "status --config a.yaml",
        "version",
        "run a.yaml"
      })
  void leavesEveryOtherCommandLineToPicocli(String commandLine) {
    String[] args = commandLine.isEmpty() ? new String[0] : commandLine.split(" ");

    assertThat(DirectRun.parse(args)).isNull();
  }

  @Test
  void runsTheRunCommandWithAnInvalidConfigurationExiting78() throws Exception {
    Path missing = Path.of("does-not-exist", "outpost.yaml");

    assertThat(DirectRun.run(new String[] {"run", "--config", missing.toString()}))
        .hasValue(ExitCodes.CONFIG);
  }

  private static Path viaPicocli(String[] args) {
    CommandLine cli = OutpostCommand.commandLine();
    CommandLine.ParseResult parsed = cli.parseArgs(args);
    RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
    return run.config.file;
  }
}
