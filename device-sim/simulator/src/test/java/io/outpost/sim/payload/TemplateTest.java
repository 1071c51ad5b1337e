package io.outpost.sim.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TemplateTest {

  private static final MessageContext CTX =
      new MessageContext("dev-00007", 6, 42, 1_700_000_000_123_456L);

  @Test
  void rendersEveryFixedPlaceholder() {
    Template t = Template.compile("{deviceId}|{deviceIndex}|{seq}|{ts}|{tsMicros}");

    assertThat(t.render(CTX, new SplittableRandom(1)))
        .isEqualTo("dev-00007|6|42|1700000000123|1700000000123456");
  }

  @Test
  void keepsJsonBracesAsLiteralText() {
    Template t = Template.compile("{\"id\":\"{deviceId}\",\"seq\":{seq},\"nested\":{\"a\":1}}");

    assertThat(t.render(CTX, new SplittableRandom(1)))
        .isEqualTo("{\"id\":\"dev-00007\",\"seq\":42,\"nested\":{\"a\":1}}");
  }

  @Test
  void randomPlaceholdersStayWithinTheirRanges() {
    Template t = Template.compile("{randInt:-3:3} {randFloat:18.5:19.5} {rand}");
    SplittableRandom random = new SplittableRandom(7);

    for (int i = 0; i < 1000; i++) {
      String[] parts = t.render(CTX, random).split(" ");
      assertThat(Long.parseLong(parts[0])).isBetween(-3L, 3L);
      assertThat(Double.parseDouble(parts[1])).isBetween(18.5, 19.5);
      assertThat(parts[1]).matches("\\d+\\.\\d\\d");
      assertThat(Double.parseDouble(parts[2])).isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
    }
  }

  @Test
  void randIntCoversBothInclusiveBounds() {
    Template t = Template.compile("{randInt:1:2}");
    SplittableRandom random = new SplittableRandom(3);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(t.render(CTX, random));
    }
    assertThat(seen).containsExactlyInAnyOrder("1", "2");
  }

  @Test
  void rejectsUnknownPlaceholderByName() {
    assertThatThrownBy(() -> Template.compile("devices/{devId}/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{devId}");
  }

  @Test
  void rejectsMalformedRandomRanges() {
    assertThatThrownBy(() -> Template.compile("{randInt:5}")).hasMessageContaining("MIN:MAX");
    assertThatThrownBy(() -> Template.compile("{randInt:5:1}")).hasMessageContaining("bad range");
    assertThatThrownBy(() -> Template.compile("{randFloat:a:b}"))
        .hasMessageContaining("non-numeric");
    assertThatThrownBy(() -> Template.compile("{seq:3}")).hasMessageContaining("no arguments");
  }

  @Test
  void knowsWhetherItVariesPerMessage() {
    assertThat(Template.compile("devices/{deviceId}/telemetry").isPerMessage()).isFalse();
    assertThat(Template.compile("x/{seq}").isPerMessage()).isTrue();
    assertThat(Template.compile("x/{randInt:1:2}").isPerMessage()).isTrue();
  }
}
