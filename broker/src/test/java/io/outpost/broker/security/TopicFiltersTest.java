package io.outpost.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TopicFiltersTest {

  @Test
  void matchesTopicNamesLikeMqtt() {
    assertThat(TopicFilters.matches("devices/+/telemetry", "devices/a/telemetry")).isTrue();
    assertThat(TopicFilters.matches("devices/#", "devices")).isTrue();
    assertThat(TopicFilters.matches("devices/#", "devices/a/b")).isTrue();
    assertThat(TopicFilters.matches("devices/+", "devices/a/b")).isFalse();
    assertThat(TopicFilters.matches("devices/a", "devices/b")).isFalse();
  }

  @Test
  void coversOnlyFiltersEntirelyInside() {
    assertThat(TopicFilters.covers("#", "#")).isTrue();
    assertThat(TopicFilters.covers("devices/a/#", "devices/a/+/x")).isTrue();
    assertThat(TopicFilters.covers("devices/a/#", "devices/a/#")).isTrue();
    assertThat(TopicFilters.covers("devices/+/cmd", "devices/+/cmd")).isTrue();
    assertThat(TopicFilters.covers("devices/+/cmd", "devices/a/cmd")).isTrue();
    assertThat(TopicFilters.covers("devices/a/cmd", "devices/+/cmd")).isFalse();
    assertThat(TopicFilters.covers("devices/+/cmd", "devices/#")).isFalse();
    assertThat(TopicFilters.covers("devices/a/#", "#")).isFalse();
    assertThat(TopicFilters.covers("devices/+", "+/+")).isFalse();
    assertThat(TopicFilters.covers("a/b", "a/b/c")).isFalse();
  }

  @Test
  void intersectsWhenSomeTopicMatchesBoth() {
    assertThat(TopicFilters.intersects("secret/#", "#")).isTrue();
    assertThat(TopicFilters.intersects("secret/#", "+/x")).isTrue();
    assertThat(TopicFilters.intersects("secret/#", "secret")).isTrue();
    assertThat(TopicFilters.intersects("a/+/c", "a/b/+")).isTrue();
    assertThat(TopicFilters.intersects("secret/#", "public/#")).isFalse();
    assertThat(TopicFilters.intersects("a/b", "a/b/c")).isFalse();
  }

  @Test
  void rejectsInvalidFilters() {
    assertThat(TopicFilters.invalidFilter("a/#/b")).isNotNull();
    assertThat(TopicFilters.invalidFilter("a/b+")).isNotNull();
    assertThat(TopicFilters.invalidFilter("")).isNotNull();
    assertThat(TopicFilters.invalidFilter("a/+/#")).isNull();
  }
}
