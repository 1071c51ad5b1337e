package io.outpost.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Filter-to-filter relations and the {@code $}-topic rule options, as authorization uses them. */
class FilterRelationsTest {

  private static TopicFilter rule(String filter) {
    return TopicFilter.of(filter, DollarTopics.INCLUDED);
  }

  @Test
  void coversOnlyFiltersEntirelyInside() {
    assertThat(rule("#").covers("#")).isTrue();
    assertThat(rule("devices/a/#").covers("devices/a/+/x")).isTrue();
    assertThat(rule("devices/a/#").covers("devices/a/#")).isTrue();
    assertThat(rule("devices/a/#").covers("devices/a")).isTrue();
    assertThat(rule("devices/+/cmd").covers("devices/+/cmd")).isTrue();
    assertThat(rule("devices/+/cmd").covers("devices/a/cmd")).isTrue();
    assertThat(rule("devices/a/cmd").covers("devices/+/cmd")).isFalse();
    assertThat(rule("devices/+/cmd").covers("devices/#")).isFalse();
    assertThat(rule("devices/a/#").covers("#")).isFalse();
    assertThat(rule("devices/+").covers("+/+")).isFalse();
    assertThat(rule("a/b").covers("a/b/c")).isFalse();
  }

  @Test
  void intersectsWhenSomeTopicMatchesBoth() {
    assertThat(rule("secret/#").intersects("#")).isTrue();
    assertThat(rule("secret/#").intersects("+/x")).isTrue();
    assertThat(rule("secret/#").intersects("secret")).isTrue();
    assertThat(rule("a/+/c").intersects("a/b/+")).isTrue();
    assertThat(rule("secret/#").intersects("public/#")).isFalse();
    assertThat(rule("a/b").intersects("a/b/c")).isFalse();
  }

  @Test
  void authorizationWildcardsAlsoReachDollarTopics() {
    assertThat(rule("#").matches("$SYS/uptime")).isTrue();
    assertThat(rule("+/uptime").matches("$SYS/uptime")).isTrue();
    assertThat(rule("#").covers("$SYS/#")).isTrue();
    assertThat(rule("#").intersects("$SYS/uptime")).isTrue();
  }

  @Test
  void mqttWildcardsNeverReachDollarTopics() {
    TopicFilter all = TopicFilter.of("#");
    assertThat(all.dollarTopics()).isEqualTo(DollarTopics.EXCLUDED);
    assertThat(all.matches("$SYS/uptime")).isFalse();
    assertThat(TopicFilter.of("+/uptime").matches("$SYS/uptime")).isFalse();
    assertThat(all.covers("$SYS/#")).isFalse();
    assertThat(all.intersects("$SYS/uptime")).isFalse();
    assertThat(TopicFilter.of("$SYS/#").intersects("#")).isFalse();
    assertThat(TopicFilter.of("$SYS/#").matches("$SYS/uptime")).isTrue();
    assertThat(TopicFilter.of("$SYS/#").intersects("$SYS/+")).isTrue();
  }

  @Test
  void theRuleIsPartOfAFiltersIdentity() {
    assertThat(TopicFilter.of("a/#"))
        .isEqualTo(TopicFilter.of("a/#", DollarTopics.EXCLUDED))
        .isNotEqualTo(rule("a/#"));
  }

  @Test
  void explainsInvalidFilters() {
    assertThat(Topics.filterProblem("a/#/b"))
        .isEqualTo("'#' must be a whole level and the last one");
    assertThat(Topics.filterProblem("a/b+")).isEqualTo("'+' must be a whole level");
    assertThat(Topics.filterProblem("")).isEqualTo("must not be empty");
    assertThat(Topics.filterProblem("a/+/#")).isNull();
  }
}
