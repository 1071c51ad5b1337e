package io.outpost.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PublicationTest {

  @Test
  void copiesAreImmutableAndCarryEverySetting() {
    byte[] bytes = "x".getBytes(StandardCharsets.UTF_8);
    Publication base = Publication.bytes("a/b", bytes);
    bytes[0] = 'y';

    Publication derived = base.withQos(2).withRetain(true).withUserProperty("k", "v");

    assertThat(base.payload()).containsExactly('x');
    assertThat(base.qos()).isZero();
    assertThat(derived.qos()).isEqualTo(2);
    assertThat(derived.retain()).isTrue();
    assertThat(derived.userProperties()).containsExactly(new UserProperty("k", "v"));
    assertThat(Publication.json("t", 1).isJson()).isTrue();
    assertThat(Publication.text("t", "é").payload()).hasSize(2);
  }

  @Test
  void rejectsWildcardTopicsAndBadQos() {
    assertThatThrownBy(() -> Publication.text("a/+", "x")).hasMessageContaining("topic:");
    assertThatThrownBy(() -> Publication.text("", "x")).hasMessageContaining("topic:");
    assertThatThrownBy(() -> Publication.text("a", "x").withQos(3)).hasMessageContaining("qos:");
  }
}
