package io.outpost.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One run of {@code validate} names every unknown key and wrong type, not only the first. */
@Timeout(10)
class ConfigAllErrorsTest {

  private static ConfigException error(String yaml) {
    ConfigException e =
        catchThrowableOfType(
            ConfigException.class, () -> new ConfigLoader().parse(yaml, "outpost.yaml"));
    assertThat(e).as("refused: %s", yaml).isNotNull();
    return e;
  }

  @Test
  void problemsInSeveralSectionsAreAllReportedInLineOrder() {
    ConfigException e =
        error(
            """
            broker:
              listeners:
                - {host: 127.0.0.1, port: 1883}
            storage:
              dir: ./data
              maxBytes: 1GB
            admin:
              listn: 127.0.0.1:8181
            functions:
              defaultTimeoutMillis: soon
            """);

    assertThat(e.all())
        .extracting(Throwable::getMessage)
        .containsExactly(
            "outpost.yaml:6: storage.maxBytes: expected a number, got '1GB'",
            "outpost.yaml:8: admin.listn: unknown key 'listn'; did you mean 'listen'?",
            "outpost.yaml:10: functions.defaultTimeoutMillis: expected a number, got 'soon'");
    assertThat(e.getMessage())
        .isEqualTo(String.join("\n", e.all().stream().map(Throwable::getMessage).toList()));
    assertThat(e.line()).isEqualTo(6);
  }

  @Test
  void aSingleProblemStaysASingleMessage() {
    ConfigException e = error("storage:\n  dir: ./data\n  maxBytes: 1GB\n");

    assertThat(e.all()).containsExactly(e);
    assertThat(e.getMessage())
        .isEqualTo("outpost.yaml:3: storage.maxBytes: expected a number, got '1GB'");
  }
}
