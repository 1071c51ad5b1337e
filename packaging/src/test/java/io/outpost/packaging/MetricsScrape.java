package io.outpost.packaging;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of {@code /metrics} in the Prometheus text format: sample names, their label sets and
 * values.
 */
final class MetricsScrape {

  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** One sample line. */
  record Sample(Map<String, String> labels, double value) {}

  private final Map<String, List<Sample>> samples;

  private MetricsScrape(Map<String, List<Sample>> samples) {
    this.samples = samples;
  }

  static MetricsScrape parse(String text) {
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      Map<String, String> labels = new LinkedHashMap<>();
      String name;
      String rest;
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int close = line.lastIndexOf('}');
        Matcher m = LABEL.matcher(line.substring(brace + 1, close));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
        rest = line.substring(close + 1).trim();
      } else {
        name = line.substring(0, space);
        rest = line.substring(space + 1).trim();
      }
      double value = Double.parseDouble(rest.split(" ")[0]);
      samples
          .computeIfAbsent(name, n -> new ArrayList<>())
          .add(new Sample(Map.copyOf(labels), value));
    }
    return new MetricsScrape(samples);
  }

  /**
   * Every sample name, suffixes included ({@code _total}, {@code _bucket}, {@code _count}, {@code
   * _sum}).
   */
  Set<String> names() {
    return Collections.unmodifiableSet(samples.keySet());
  }

  List<Sample> samples(String name) {
    return samples.getOrDefault(name, List.of());
  }

  /**
   * The value of the one sample of {@code name} whose labels include {@code labels}; fails if there
   * is not one.
   */
  double value(String name, Map<String, String> labels) {
    List<Sample> matching =
        samples(name).stream()
            .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
            .toList();
    if (matching.size() != 1) {
      throw new AssertionError("expected one sample " + name + labels + ", found " + matching);
    }
    return matching.get(0).value();
  }

  double value(String name) {
    return value(name, Map.of());
  }
}
