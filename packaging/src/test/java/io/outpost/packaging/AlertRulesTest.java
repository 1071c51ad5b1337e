package io.outpost.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The alert rule file is well formed and covers what operators asked to be alerted on. */
@Timeout(30)
class AlertRulesTest {

  @Test
  void everyRuleHasANameAnExpressionASeverityAndAnExplanation() throws Exception {
    List<AlertRules.Rule> rules = AlertRules.read(AlertRules.SOURCE);

    assertThat(rules)
        .isNotEmpty()
        .allSatisfy(
            rule -> {
              assertThat(rule.alert()).matches("Outpost[A-Za-z]+");
              assertThat(rule.expr()).isNotBlank();
              assertThat(rule.severity()).isIn("warning", "critical");
              assertThat(rule.summary()).contains("{{ $labels.instance }}");
              assertThat(rule.description()).isNotBlank();
              assertThat(AlertRules.query(rule).metrics()).as(rule.expr()).isNotEmpty();
            });
    assertThat(rules).extracting(AlertRules.Rule::alert).doesNotHaveDuplicates();
  }

  @Test
  void coversLinkDownSpoolFillingDropsBrokenFunctionsLimitHitsAndAuthFailures() throws Exception {
    Set<String> read =
        AlertRules.read(AlertRules.SOURCE).stream()
            .flatMap(rule -> AlertRules.query(rule).metrics().stream())
            .collect(Collectors.toSet());

    assertThat(read)
        .contains(
            "outpost_cloud_link_offline_seconds",
            "outpost_spool_bytes",
            "outpost_spool_max_bytes",
            "outpost_spool_dropped_total",
            "outpost_broker_messages_dropped_total",
            "outpost_functions_broken",
            "outpost_function_limit_hits_total",
            "outpost_security_auth_failures_total");
  }
}
