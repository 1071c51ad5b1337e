package io.outpost.sim.cli;

import io.outpost.sim.report.Charts;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code device-sim chart}: PNG plots from saved {@code --output} summaries. */
@Command(
    name = "chart",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Plot saved run/consume JSON summaries as PNG (XChart).")
final class ChartCommand implements Callable<Integer> {

  enum Kind {
    timeline,
    latency
  }

  @Parameters(index = "0", description = "timeline (rate over time) or latency (percentiles).")
  Kind kind;

  @Parameters(
      index = "1..*",
      paramLabel = "LABEL=FILE",
      arity = "1..*",
      description = "Summaries to plot, each with its legend label.")
  List<String> series;

  @Option(names = "--out", required = true, paramLabel = "PNG", description = "Output PNG file.")
  Path out;

  @Option(names = "--title", defaultValue = "", description = "Chart title.")
  String title;

  @Override
  public Integer call() throws Exception {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String s : series) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected LABEL=FILE, got " + s);
      }
      files.put(s.substring(0, eq), Path.of(s.substring(eq + 1)));
    }
    if (kind == Kind.timeline) {
      Charts.timeline(title, files, out);
    } else {
      Charts.latency(title, files, out);
    }
    return 0;
  }
}
