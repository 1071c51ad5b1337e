package io.outpost.sim.cli;

import io.outpost.sim.report.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How results are shown: text or JSON on stdout, optionally JSON to a file, progress on stderr. */
final class OutputMixin {

  @Option(names = "--json", description = "Print the final summary as JSON instead of text.")
  boolean json;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Also write the JSON summary to FILE.")
  Path output;

  @Option(
      names = {"-q", "--quiet"},
      description = "No live progress lines on stderr.")
  boolean quiet;

  PrintStream progress() {
    return quiet ? null : System.err;
  }

  void emit(Object summary, String text) throws IOException {
    if (output != null) {
      Json.write(summary, output);
    }
    System.out.print(json ? Json.write(summary) + System.lineSeparator() : text);
    System.out.flush();
  }
}
