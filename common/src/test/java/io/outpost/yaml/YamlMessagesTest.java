package io.outpost.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shared wording of YAML problems, as the parser reports them and as users should read them.
 */
@Timeout(10)
class YamlMessagesTest {

  @Test
  void aTypeMismatchSaysWhatWasExpectedAndWhatWasGiven() {
    assertThat(
            YamlMessages.typeMismatch(
                Long.class, "Cannot coerce String value (\"1GB\") to `java.lang.Long` value"))
        .isEqualTo("expected a number, got '1GB'");
    assertThat(
            YamlMessages.typeMismatch(
                Integer.class, "Cannot coerce String value (\"12\") to `java.lang.Integer` value"))
        .isEqualTo("expected a number, got '12' in quotes (write it without them)");
    assertThat(
            YamlMessages.typeMismatch(
                String.class, "Cannot deserialize value of type `String` from Array value"))
        .isEqualTo("expected text, got a list");
    assertThat(YamlMessages.typeMismatch(Boolean.class, "from Object value"))
        .isEqualTo("expected true or false, got a section of keys");
    assertThat(YamlMessages.typeMismatch(List.class, "from Integer value"))
        .isEqualTo("expected a list, got a number");
    assertThat(YamlMessages.typeMismatch(Thread.State.class, "from Boolean value"))
        .startsWith("expected one of new, runnable, blocked")
        .endsWith("got true or false");
    assertThat(YamlMessages.typeMismatch(null, "anything")).isNull();
    assertThat(YamlMessages.expectedGot(Double.class, "fast"))
        .isEqualTo("expected a number, got 'fast'");
  }

  @Test
  void aNumberTooLargeNamesTheLargestAllowed() {
    assertThat(YamlMessages.outOfRange("Numeric value (99999999999) out of range of int"))
        .isEqualTo("expected a number up to 2147483647, got 99999999999");
    assertThat(YamlMessages.outOfRange("something else")).isNull();
  }

  @Test
  void aNearMissKeyGetsADidYouMeanAndAFarOneDoesNot() {
    List<String> known = List.of("triggers", "timeoutMillis", "maxQueued");
    assertThat(YamlMessages.didYouMean("trigger", known)).isEqualTo("triggers");
    assertThat(YamlMessages.didYouMean("maxQeueud", known)).isEqualTo("maxQueued");
    assertThat(YamlMessages.didYouMean("colour", known)).isNull();
    assertThat(YamlMessages.distance("ab", "ba")).isEqualTo(1);
  }

  @Test
  void tabsAreFoundAtEveryLineTheyIndent() {
    String yaml = "a:\n\tb: 1\nc: \"x\ty\"\n  \t- d\n";
    assertThat(YamlMessages.tabLines(yaml)).containsExactly(2, 4);
    assertThat(YamlMessages.tabLine(yaml)).isEqualTo(2);
    assertThat(YamlMessages.tabLine("a: 1\n")).isZero();
  }
}
