package io.outpost.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Configuration errors in the words of the file: types, typos and tabs, each at its key and line.
 */
@Timeout(10)
class ConfigMessagesTest {

  private final ConfigLoader loader = new ConfigLoader();

  private ConfigException error(String yaml) {
    ConfigException e =
        catchThrowableOfType(() -> loader.parse(yaml, "outpost.yaml"), ConfigException.class);
    assertThat(e).as("refused: %s", yaml).isNotNull();
    return e;
  }

  @Test
  void aWrongTypeSaysWhatWasExpectedAndWhatWasWritten() {
    ConfigException e =
        error(
            """
        storage:
          dir: ./data
          maxBytes: 1GB
        """);
    assertThat(e.getMessage())
        .isEqualTo("outpost.yaml:3: storage.maxBytes: expected a number, got '1GB'");

    assertThat(error("broker:\n  listeners: 3\n").reason())
        .isEqualTo("expected a list, got a number");
    assertThat(error("storage:\n  maxBytes: \"12\"\n").reason())
        .isEqualTo("expected a number, got '12' in quotes (write it without them)");
    assertThat(
            error("broker:\n  listeners:\n    - {host: 127.0.0.1, port: 99999999999}\n").reason())
        .isEqualTo("expected a number up to 2147483647, got 99999999999");
  }

  @Test
  void aMisspelledKeyGetsADidYouMean() {
    ConfigException e =
        error(
            """
        storage:
          dir: ./data
          maxByte: 1000
        """);
    assertThat(e.getMessage())
        .isEqualTo(
            "outpost.yaml:3: storage.maxByte: unknown key 'maxByte'; did you mean"
                + " 'maxBytes'?");
    assertThat(error("storage:\n  frobnicate: 1\n").reason())
        .startsWith("unknown key 'frobnicate'; known keys:");
  }

  @Test
  void aTabIsNamedAtItsOwnLine() {
    ConfigException e = error("storage:\n  dir: ./data\n\tmaxBytes: 1000\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.reason())
        .isEqualTo("a tab character indents this line; YAML indents with spaces only");
  }

  @Test
  void editDistanceCountsATranspositionAsOneEdit() {
    assertThat(ConfigMessages.distance("maxBtyes", "maxBytes")).isEqualTo(1);
    assertThat(ConfigMessages.distance("url", "clientId")).isGreaterThan(2);
  }
}
