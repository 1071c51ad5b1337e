package io.outpost.topic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TopicFilterTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
    // MQTT 5.0 §4.7.1.2 examples
    "sport/tennis/player1/#, sport/tennis/player1, true",
    "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
    "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
    "sport/#, sport, true",
    "#, sport/tennis, true",
    "#, /, true",
    // §4.7.1.3
    "sport/tennis/+, sport/tennis/player1, true",
    "sport/tennis/+, sport/tennis/player1/tournament, false",
    "sport/+, sport, false",
    "sport/+, sport/, true",
    "+/+, /finance, true",
    "/+, /finance, true",
    "+, /finance, false",
    "+, a, true",
    "a/b, a/b, true",
    "a/b, a/c, false",
    "a/b, a/b/c, false",
    "a//b, a//b, true",
    "a/b, a, false",
    "a/b/c, a/b, false",
    "a, ab, false",
    "ab, a, false",
    "a/bc, a/b, false",
    "a/+/c, a//c, true",
    "a/+, a/b/, false",
    "a/+/, a/b/, true",
    "/, /, true",
    "+/+/+, a//b, true",
    // §4.7.2 $-topics
    "#, $SYS/x, false",
    "+/monitor/Clients, $SYS/monitor/Clients, false",
    "$SYS/#, $SYS/monitor/Clients, true",
    "$SYS/monitor/+, $SYS/monitor/Clients, true",
    "a/#, a/$x, true",
  })
  void matchesLikeTheSpec(String filter, String topic, boolean expected) {
    assertThat(TopicFilter.of(filter).matches(topic)).isEqualTo(expected);
  }
}
