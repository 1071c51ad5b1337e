package io.outpost.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "a/b", "/", "a//b", "$SYS/x", "sport/tennis/player1", " ", "ü/€"})
  void acceptsValidTopicNames(String topic) {
    assertThat(Topics.isValidName(topic)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a/+", "a/#", "#", "+", "a+b", "a\u0000b"})
  void rejectsInvalidTopicNames(String topic) {
    assertThatThrownBy(() -> Topics.validateName(topic))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid topic name");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "#",
        "+",
        "a/#",
        "a/+/b",
        "+/+",
        "/+",
        "a//#",
        "$SYS/#",
        "sport/tennis/#",
        "+/tennis/#"
      })
  void acceptsValidFilters(String filter) {
    assertThat(Topics.isValidFilter(filter)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a#", "a/#/b", "a/b#", "a+", "a/+b", "#/a", "a\u0000"})
  void rejectsInvalidFilters(String filter) {
    assertThatThrownBy(() -> Topics.validateFilter(filter))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid topic filter");
  }

  @Test
  void rejectsTopicsLongerThan65535Bytes() {
    assertThat(Topics.isValidName("a".repeat(65_535))).isTrue();
    assertThat(Topics.isValidName("a".repeat(65_536))).isFalse();
    assertThat(Topics.isValidName("€".repeat(21_846))).isFalse();
  }

  @Test
  void parsesSharedSubscriptions() {
    assertThat(SharedFilter.parse("$share/g1/a/+")).isEqualTo(new SharedFilter("g1", "a/+"));
    assertThat(SharedFilter.parse("a/b")).isNull();
    assertThatThrownBy(() -> SharedFilter.parse("$share/g1"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SharedFilter.parse("$share//a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SharedFilter.parse("$share/g+/a"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SharedFilter.parse("$share/g/a#"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
