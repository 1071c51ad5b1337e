package io.outpost.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The shipped Prometheus alert rules, read as Prometheus reads a rule file: groups of rules, each
 * with PromQL.
 */
final class AlertRules {

  /** The rules as shipped in the .deb and the tarball; failsafe runs in the module directory. */
  static final Path SOURCE = Path.of("src/main/prometheus/outpost-alerts.yml");

  /** One alerting rule. */
  record Rule(String alert, String expr, String severity, String summary, String description) {}

  private AlertRules() {}

  static List<Rule> read(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    List<Rule> rules = new ArrayList<>();
    for (JsonNode group : root.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        rules.add(
            new Rule(
                rule.path("alert").asText(null),
                rule.path("expr").asText(null),
                rule.path("labels").path("severity").asText(null),
                rule.path("annotations").path("summary").asText(null),
                rule.path("annotations").path("description").asText(null)));
      }
    }
    return rules;
  }

  /** The rule's expression as a dashboard query, for {@link GrafanaDashboard#problems}. */
  static GrafanaDashboard.Query query(Rule rule) {
    return GrafanaDashboard.parse("alert " + rule.alert(), rule.expr());
  }
}
