package io.outpost.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of a Grafana dashboard, taken apart far enough to check it against a scrape: which
 * sample names each query reads, which labels it groups by and which label values it selects. Not a
 * PromQL parser: enough for the aggregations, functions, selectors and ranges a dashboard uses.
 */
final class GrafanaDashboard {

  /**
   * The dashboard as shipped in the .deb and the tarball; failsafe runs in the module directory.
   */
  static final Path SOURCE = Path.of("src/main/grafana/outpost-dashboard.json");

  /** Labels Prometheus adds when it scrapes, so a daemon's own output does not have them. */
  private static final Set<String> TARGET_LABELS = Set.of("instance", "job");

  private static final Set<String> KEYWORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "inf",
          "nan");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern SELECTOR = Pattern.compile("\\{([^}]*)}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");

  /**
   * A name not directly followed by "(" (a function or aggregation); possessive, so "rate(" never
   * yields "rat".
   */
  private static final Pattern NAME =
      Pattern.compile("(?<![\\w:$.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");

  private static final Pattern LABEL_VALUES =
      Pattern.compile(
          "label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(?:\\{[^}]*})?\\s*,\\s*(\\w+)\\s*\\)");
  private static final Pattern SUFFIX = Pattern.compile("_(?:bucket|count|sum|total|max|created)$");

  /**
   * One PromQL expression: where it is, what it reads. {@code matchers} maps a label to its literal
   * value, if any.
   */
  record Query(
      String where,
      String expr,
      Set<String> metrics,
      Set<String> groupingLabels,
      Map<String, String> matchers) {}

  private GrafanaDashboard() {}

  /**
   * Every PromQL expression of the dashboard: panel targets (rows included) and query variables.
   */
  static List<Query> queries(Path file) throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(file.toFile());
    List<Query> queries = new ArrayList<>();
    collectPanels(dashboard.path("panels"), queries);
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (!"query".equals(variable.path("type").asText())) {
        continue;
      }
      JsonNode query = variable.path("query");
      String text = query.isObject() ? query.path("query").asText() : query.asText();
      String where = "variable $" + variable.path("name").asText();
      Matcher m = LABEL_VALUES.matcher(text);
      queries.add(
          m.matches()
              ? new Query(where, text, Set.of(m.group(1)), Set.of(m.group(2)), Map.of())
              : parse(where, text));
    }
    return queries;
  }

  private static void collectPanels(JsonNode panels, List<Query> into) {
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          into.add(
              parse(
                  "panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                  target.path("expr").asText()));
        }
      }
      collectPanels(panel.path("panels"), into); // collapsed rows carry their panels inside
    }
  }

  static Query parse(String where, String expr) {
    Map<String, String> matchers = new LinkedHashMap<>();
    Matcher selector = SELECTOR.matcher(expr);
    while (selector.find()) {
      Matcher m = MATCHER.matcher(selector.group(1));
      while (m.find()) {
        boolean literal = m.group(2).equals("=") && !m.group(3).contains("$");
        matchers.put(m.group(1), literal ? m.group(3) : null);
      }
    }
    String rest = SELECTOR.matcher(expr).replaceAll(" ");
    rest = STRING.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    Set<String> grouping = new LinkedHashSet<>();
    Matcher g = GROUPING.matcher(rest);
    while (g.find()) {
      for (String label : g.group(1).split(",")) {
        if (!label.isBlank()) {
          grouping.add(label.trim());
        }
      }
    }
    rest = GROUPING.matcher(rest).replaceAll(" ");
    Set<String> metrics = new LinkedHashSet<>();
    Matcher n = NAME.matcher(rest);
    while (n.find()) {
      if (!KEYWORDS.contains(n.group(1))) {
        metrics.add(n.group(1));
      }
    }
    return new Query(where, expr, metrics, grouping, matchers);
  }

  /**
   * What in {@code query} the scrape does not have: sample names (as Prometheus stores them, so
   * {@code _total}, {@code _bucket}, {@code _count} and {@code _sum} must match exactly), labels it
   * groups by or selects on, literal label values it selects. Empty when the query can show data
   * from this daemon.
   */
  static List<String> problems(Query query, MetricsScrape scrape) {
    List<String> problems = new ArrayList<>();
    List<MetricsScrape.Sample> samples = new ArrayList<>();
    for (String metric : query.metrics()) {
      if (scrape.names().contains(metric)) {
        samples.addAll(scrape.samples(metric));
      } else {
        problems.add(
            query.where()
                + ": no "
                + metric
                + " in the scrape"
                + relatives(metric, scrape)
                + " ("
                + query.expr()
                + ")");
      }
    }
    if (samples.isEmpty()) {
      return problems;
    }
    Set<String> labels = new LinkedHashSet<>(query.groupingLabels());
    labels.addAll(query.matchers().keySet());
    labels.removeAll(TARGET_LABELS);
    for (String label : labels) {
      if (samples.stream().noneMatch(s -> s.labels().containsKey(label))) {
        problems.add(
            query.where()
                + ": no label '"
                + label
                + "' on "
                + query.metrics()
                + " ("
                + query.expr()
                + ")");
      }
    }
    query
        .matchers()
        .forEach(
            (label, value) -> {
              if (value != null
                  && !TARGET_LABELS.contains(label)
                  && samples.stream().noneMatch(s -> value.equals(s.labels().get(label)))) {
                problems.add(
                    query.where()
                        + ": no "
                        + label
                        + "=\""
                        + value
                        + "\" on "
                        + query.metrics()
                        + " ("
                        + query.expr()
                        + ")");
              }
            });
    return problems;
  }

  /**
   * The scrape's names of the same family (suffixes stripped), to point at the likely intended one.
   */
  private static String relatives(String metric, MetricsScrape scrape) {
    String family = family(metric);
    List<String> same =
        scrape.names().stream().filter(n -> family(n).equals(family)).sorted().toList();
    return same.isEmpty() ? "" : "; it has " + same;
  }

  private static String family(String name) {
    return SUFFIX.matcher(name).replaceFirst("");
  }
}
