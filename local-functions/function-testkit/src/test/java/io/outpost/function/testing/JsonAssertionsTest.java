package io.outpost.function.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outpost.function.Publication;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonAssertionsTest {

  @Test
  void equalDocumentsPassWhateverMemberOrderSpacingAndNumberForm() {
    JsonAssertions.assertJsonEquals(
        "{\"a\": 1, \"b\": [true, null, {\"y\": \"z\", \"x\": 2.50}]}",
        "{\"b\":[true,null,{\"x\":2.5,\"y\":\"z\"}],\"a\":1.0}");
  }

  @Test
  void differentDocumentsFailShowingBothSorted() {
    assertThatThrownBy(() -> JsonAssertions.assertJsonEquals("{\"b\": 1, \"a\": 2}", "{\"a\": 3}"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("expected: {\"a\":2,\"b\":1}")
        .hasMessageContaining("but was: {\"a\":3}");
  }

  @Test
  void arraysCompareInOrderAndByLength() {
    assertThat(TestJson.sameJson(List.of(1, 2), List.of(2, 1))).isFalse();
    assertThat(TestJson.sameJson(List.of(1), List.of(1, 1))).isFalse();
    assertThat(TestJson.sameJson(Map.of("a", 1), Map.of("b", 1))).isFalse();
    assertThat(TestJson.sameJson("1", 1)).isFalse();
    assertThat(TestJson.sameJson(null, null)).isTrue();
  }

  @Test
  void nonJsonFailsTheAssertionSayingWhich() {
    assertThatThrownBy(() -> JsonAssertions.assertJsonEquals("{}", "not json"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("actual JSON is not JSON")
        .hasMessageNotContaining("com.fasterxml");
  }

  @Test
  void publishedMessageComparesItsPayloadAsJson() {
    PublishedMessage m =
        TestJson.encode(
            Publication.json("out", Map.of("at", Instant.parse("2026-01-01T00:00:00Z"), "n", 3))
                .withRetain(true)
                .withUserProperty("k", "v"));

    assertThat(m.payloadJsonEquals("{\"n\": 3, \"at\": \"2026-01-01T00:00:00Z\"}")).isTrue();
    assertThat(m.payloadJsonEquals("{\"n\": 4, \"at\": \"2026-01-01T00:00:00Z\"}")).isFalse();
    m.assertJsonEquals("{\"n\": 3.0, \"at\": \"2026-01-01T00:00:00Z\"}");
    assertThat(m.payloadJson()).isEqualTo(Map.of("at", "2026-01-01T00:00:00Z", "n", 3));
    assertThat(m.retain()).isTrue();
    assertThat(m.userProperties()).hasSize(1);
    assertThat(m)
        .isEqualTo(
            TestJson.encode(
                Publication.bytes("out", m.payload()).withRetain(true).withUserProperty("k", "v")));
    assertThat(m.hashCode())
        .isEqualTo(
            TestJson.encode(
                    Publication.bytes("out", m.payload())
                        .withRetain(true)
                        .withUserProperty("k", "v"))
                .hashCode());
    assertThat(m.toString()).startsWith("out {").endsWith("(qos 0, retained)");
  }

  @Test
  void unserialisableBodyFailsWithThePayloadFormatException() {
    Object selfReferencing =
        new Object() {
          @SuppressWarnings("unused")
          public Object getSelf() {
            return this;
          }
        };
    assertThatThrownBy(() -> TestJson.encode(Publication.json("out", selfReferencing)))
        .isInstanceOf(io.outpost.function.PayloadFormatException.class)
        .hasMessageContaining("cannot serialise publication to out as JSON");
  }
}
