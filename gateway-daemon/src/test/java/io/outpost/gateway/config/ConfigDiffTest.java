package io.outpost.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {

  private final AdminConfig running =
      new AdminConfig("127.0.0.1:8181", true, null, 100L, null, null, null, null, null, null, null);
  private final AdminConfig next =
      new AdminConfig("0.0.0.0:9000", true, null, 200L, null, 5, null, null, null, null, null);

  @Test
  void namesTheChangedKeysInDeclarationOrder() {
    assertThat(ConfigDiff.changedKeys(running, next))
        .containsExactly("listen", "maxPackageBytes", "maxPackageFiles");
    assertThat(ConfigDiff.changedKeys(running, running)).isEmpty();
  }

  @Test
  void mergeKeepsTheRunningValuesOfTheNamedKeys() {
    AdminConfig inForce = ConfigDiff.merge(running, next, List.of("listen"));

    assertThat(inForce.listen()).isEqualTo("127.0.0.1:8181");
    assertThat(inForce.maxPackageBytes()).isEqualTo(200L);
    assertThat(inForce.maxPackageFiles()).isEqualTo(5);
  }
}
