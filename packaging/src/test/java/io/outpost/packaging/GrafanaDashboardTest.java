package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The dashboard check itself: that it reads PromQL right and reports what a scrape lacks. */
class GrafanaDashboardTest {

  private static final MetricsScrape SCRAPE =
      MetricsScrape.parse(
          """
      # HELP outpost_route_messages_total Messages forwarded by a route
      # TYPE outpost_route_messages_total counter
      outpost_route_messages_total{direction="to-cloud",route="telemetry"} 3.0
      jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 1.2E7
      outpost_spool_commit_seconds_count 4
      outpost_spool_commit_seconds_sum 0.02
      """);

  @Test
  void readsNamesGroupingLabelsAndMatchersButNotFunctionsRangesOrNumbers() {
    GrafanaDashboard.Query q =
        GrafanaDashboard.parse(
            "here",
            "histogram_quantile(0.99, sum by (le, function) "
                + "(rate(outpost_function_duration_seconds_bucket{instance=~\"$instance\",outcome=\"ok\"}[$__rate_interval])))"
                + " / on(function) group_left count(up)");

    assertThat(q.metrics()).containsExactly("outpost_function_duration_seconds_bucket", "up");
    assertThat(q.groupingLabels()).containsExactly("le", "function");
    assertThat(q.matchers()).containsExactly(entry("instance", null), entry("outcome", "ok"));
  }

  @Test
  void acceptsWhatTheScrapeHas() {
    assertThat(
            problems(
                "sum by (route, direction) (rate(outpost_route_messages_total{route=\"telemetry\"}[1m]))"))
        .isEmpty();
    assertThat(
            problems(
                "rate(outpost_spool_commit_seconds_sum[1m]) / rate(outpost_spool_commit_seconds_count[1m])"))
        .isEmpty();
    assertThat(
            problems(
                "sum by (instance) (jvm_memory_used_bytes{area=\"heap\",instance=~\"$instance\"})"))
        .isEmpty();
  }

  @Test
  void reportsAMissingNameWithItsRelativesAMissingLabelAndAMissingValue() {
    assertThat(problems("rate(outpost_route_messages[1m])"))
        .singleElement()
        .asString()
        .contains("no outpost_route_messages in the scrape; it has [outpost_route_messages_total]");
    assertThat(problems("sum by (priority) (rate(outpost_route_messages_total[1m]))"))
        .singleElement()
        .asString()
        .contains("no label 'priority'");
    assertThat(problems("jvm_memory_used_bytes{area=\"nonheap\"}"))
        .singleElement()
        .asString()
        .contains("no area=\"nonheap\"");
  }

  private static List<String> problems(String expr) {
    return GrafanaDashboard.problems(GrafanaDashboard.parse("test", expr), SCRAPE);
  }
}
