package io.outpost.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class DeploymentParserTest {

  private static final String SHA = "a".repeat(64);
  private final DeploymentParser parser = new DeploymentParser();

  private static String doc(String function, String extra) {
    return """
        {"schemaVersion": 1, "name": "rollout-7",
         "functions": [%s]%s}
        """
        .formatted(function, extra);
  }

  private static String function(String artifactExtra) {
    return """
        {"name": "thermostat", "version": "1.4.0", "runtime": "java",
         "artifact": {"url": "https://bucket.s3.amazonaws.com/t.jar?X-Amz-Signature=abc", "sha256": "%s"%s},
         "limits": {"timeoutMillis": 2000, "maxQueued": 50}}
        """
        .formatted(SHA, artifactExtra);
  }

  private DeploymentDocument parse(String json) throws DeploymentException {
    return parser.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void readsFunctionsLimitsAndRoutes() throws Exception {
    DeploymentDocument d =
        parse(
            doc(
                function(", \"size\": 1024"),
                ", \"config\": {\"routes\": [{\"from\": \"local\", \"filter\": \"devices/+/telemetry\", \"to\": \"cloud\"}]}"));

    assertThat(d.name()).isEqualTo("rollout-7");
    assertThat(d.functions())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.name()).isEqualTo("thermostat");
              assertThat(f.size()).isEqualTo(1024);
              assertThat(f.limits().timeoutMillis()).isEqualTo(2000);
              assertThat(f.limits().maxQueued()).isEqualTo(50);
              assertThat(f.limits().maxConcurrency()).isNull();
            });
    assertThat(d.routes())
        .singleElement()
        .satisfies(r -> assertThat(r.filter()).isEqualTo("devices/+/telemetry"));
  }

  @Test
  void anUnknownFieldIsNamedWithItsPath() {
    assertThatThrownBy(() -> parse(doc(function(", \"colour\": \"red\""), "")))
        .isInstanceOf(DeploymentException.class)
        .hasMessageStartingWith("functions[0].artifact.colour: unknown field")
        .satisfies(
            e ->
                assertThat(((DeploymentException) e).field())
                    .isEqualTo("functions[0].artifact.colour"));
  }

  @Test
  void anUnsupportedSchemaVersionIsNamed() {
    assertThatThrownBy(
            () ->
                parse(
                    doc(function(""), "").replace("\"schemaVersion\": 1", "\"schemaVersion\": 2")))
        .hasMessageStartingWith("schemaVersion: unsupported version 2");
    assertThatThrownBy(() -> parse(doc(function(""), "").replace("\"schemaVersion\": 1,", "")))
        .hasMessageStartingWith("schemaVersion: required");
  }

  @Test
  void badValuesAreNamedWithoutParserText() {
    assertThatThrownBy(() -> parse(doc(function("").replace(SHA, "xyz"), "")))
        .hasMessage("functions[0].artifact.sha256: must be 64 hex digits");
    assertThatThrownBy(() -> parse(doc(function("").replace("https://bucket", "ftp://bucket"), "")))
        .hasMessage("functions[0].artifact.url: must be an https://, http:// or file:// URL");
    assertThatThrownBy(
            () ->
                parse(
                    doc(
                        function(""),
                        ", \"config\": {\"routes\": [{\"from\": \"local\", \"filter\": \"a/#/b\", \"to\": \"cloud\"}]}")))
        .hasMessageStartingWith("config.routes[0].filter: ");
    assertThatThrownBy(() -> parse("{\"schemaVersion\": 1, \"functions\": ["))
        .hasMessageStartingWith("not valid JSON")
        .hasMessageNotContaining("Jackson")
        .hasMessageNotContaining("com.fasterxml");
  }

  @Test
  void aFunctionListedTwiceIsRefused() {
    assertThatThrownBy(() -> parse(doc(function("") + "," + function(""), "")))
        .hasMessage("functions[1].name: function 'thermostat' listed twice");
  }
}
