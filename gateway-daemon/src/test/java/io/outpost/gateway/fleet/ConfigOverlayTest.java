package io.outpost.gateway.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.outpost.gateway.config.ConfigLoader;
import io.outpost.gateway.config.OutpostConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ConfigOverlayTest {

  @TempDir Path dir;

  private static final String DEPLOYMENT =
      """
      {"schemaVersion": 1, "functions": [{"name": "f", "version": "1",
        "artifact": {"url": "file:///f.jar", "sha256": "%s"}, "limits": {"timeoutMillis": 1500, "maxQueued": 7}}],
       "config": {"routes": [{"name": "up", "from": "local", "filter": "a/#", "to": "cloud"}]}}
      """
          .formatted("c".repeat(64));

  @Test
  void aDeploymentsRoutesAndLimitsAreLaidOverTheFileAndSurviveARestart() throws Exception {
    OutpostConfig base =
        new ConfigLoader()
            .parse(
                """
        routes: [{name: old, from: local, filter: "b/#", to: cloud}]
        functions: {overrides: {f: {maxConcurrency: 2}}}
        """,
                "test");
    DeploymentDocument d =
        new DeploymentParser().parse(DEPLOYMENT.getBytes(StandardCharsets.UTF_8));

    JsonNode overlay = ConfigOverlay.next(null, d);
    ConfigOverlay.write(dir, overlay);
    OutpostConfig applied = ConfigOverlay.applyTo(base, ConfigOverlay.read(dir));

    assertThat(applied.routes()).extracting(r -> r.name()).containsExactly("up");
    assertThat(applied.functions().overrides().get("f").timeoutMillis()).isEqualTo(1500);
    assertThat(applied.functions().overrides().get("f").maxQueued()).isEqualTo(7);
    assertThat(applied.functions().overrides().get("f").maxConcurrency()).isEqualTo(2);
    assertThat(ConfigOverlay.revision(applied))
        .isNotEqualTo(ConfigOverlay.revision(base))
        .hasSize(12);
    ConfigOverlay.write(dir, null);
    assertThat(ConfigOverlay.read(dir)).isNull();
  }

  @Test
  void anOverlayThatNoLongerValidatesNamesTheKey() throws Exception {
    JsonNode bad =
        JobsClient.JSON.readTree(
            "{\"routes\": [{\"from\": \"local\", \"filter\": \"a/#\", \"to\": \"x\"}]}");
    assertThatThrownBy(() -> ConfigOverlay.applyTo(new ConfigLoader().builtIn(), bad))
        .hasMessageContaining("routes[0].to");
  }
}
