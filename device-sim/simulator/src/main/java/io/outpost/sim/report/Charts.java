package io.outpost.sim.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries.XYSeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG plots from saved summaries (run or consume JSON), drawn with XChart: throughput over time
 * (e.g. through an outage and recovery) and latency percentiles side by side.
 */
public final class Charts {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 500;
  private static final List<String> PERCENTILES = List.of("p50", "p95", "p99", "p99.9", "max");

  private Charts() {}

  /**
   * One line per labelled summary: its per-second rate over time. The x axis is wall-clock seconds
   * since the earliest sample of all series, so a publisher's and a subscriber's timelines recorded
   * by different processes line up.
   */
  public static void timeline(String title, Map<String, Path> series, Path out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("seconds")
            .yAxisTitle("messages / s")
            .build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeriesRenderStyle.Line);
    Map<String, JsonNode> timelines = new java.util.LinkedHashMap<>();
    long origin = Long.MAX_VALUE;
    for (Map.Entry<String, Path> e : series.entrySet()) {
      JsonNode timeline = read(e.getValue()).path("timeline");
      timelines.put(e.getKey(), timeline);
      for (JsonNode p : timeline) {
        origin =
            Math.min(
                origin,
                p.path("epochMillis").asLong() - Math.round(p.path("seconds").asDouble() * 1000));
      }
    }
    for (Map.Entry<String, Path> e : series.entrySet()) {
      List<Double> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      for (JsonNode p : timelines.get(e.getKey())) {
        x.add((p.path("epochMillis").asLong() - origin) / 1000.0);
        y.add(p.path("ratePerSecond").asDouble());
      }
      if (x.isEmpty()) {
        throw new IOException(e.getValue() + " has no timeline samples");
      }
      chart.addSeries(e.getKey(), x, y).setMarker(SeriesMarkers.NONE);
    }
    save(chart, out);
  }

  /**
   * Grouped bars of latency percentiles (ms) per labelled summary: end-to-end latency for consume
   * summaries, ack latency for run summaries.
   */
  public static void latency(String title, Map<String, Path> series, Path out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("percentile")
            .yAxisTitle("latency (ms)")
            .build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNW);
    for (Map.Entry<String, Path> e : series.entrySet()) {
      JsonNode root = read(e.getValue());
      JsonNode l =
          root.has("endToEndLatency") ? root.path("endToEndLatency") : root.path("ackLatency");
      List<Double> values =
          List.of(
              l.path("p50Ms").asDouble(),
              l.path("p95Ms").asDouble(),
              l.path("p99Ms").asDouble(),
              l.path("p999Ms").asDouble(),
              l.path("maxMs").asDouble());
      chart.addSeries(e.getKey(), PERCENTILES, values);
    }
    save(chart, out);
  }

  private static JsonNode read(Path file) throws IOException {
    return Json.read(file, JsonNode.class);
  }

  private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path out)
      throws IOException {
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    String name = out.toString();
    // XChart appends the extension itself
    String base = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    BitmapEncoder.saveBitmap(chart, base, BitmapFormat.PNG);
  }
}
