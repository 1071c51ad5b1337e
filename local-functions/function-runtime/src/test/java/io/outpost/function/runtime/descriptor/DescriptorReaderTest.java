package io.outpost.function.runtime.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.outpost.function.runtime.FunctionDeploymentException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A descriptor's problems come back as a developer can act on them: every one at once, each at its
 * line, in the words of the file, never in Jackson's.
 */
@Timeout(10)
class DescriptorReaderTest {

  private static List<String> problems(String yaml) {
    FunctionDeploymentException e =
        catchThrowableOfType(FunctionDeploymentException.class, () -> DescriptorReader.read(yaml));
    assertThat(e).as("the descriptor is refused").isNotNull();
    for (String p : e.problems()) {
      assertThat(p)
          .startsWith("outpost-function.yaml")
          .doesNotContain("com.fasterxml", "jackson", "Exception", "io.outpost", "/tmp");
    }
    assertThat(e.getMessage()).isEqualTo(String.join("\n", e.problems()));
    return e.problems();
  }

  @Test
  void unknownKeyIsNamedAtItsLineWithTheKeyItWasMeantToBe() {
    assertThat(problems("name: alert\nversion: 1.0.0\nhandler: a.B\ntrigger: [a/b]\n"))
        .containsExactly(
            "outpost-function.yaml:4: trigger: unknown key 'trigger'; did you mean 'triggers'?");
  }

  @Test
  void wrongTypeSaysWhatWasExpectedAndWhatWasGiven() {
    assertThat(problems("name: alert\nversion: 1.0.0\nhandler: a.B\ntimeoutMillis: 1GB\n"))
        .containsExactly("outpost-function.yaml:4: timeoutMillis: expected a number, got '1GB'");
  }

  @Test
  void everyProblemIsReportedInOneRunInLineOrder() {
    List<String> found =
        problems(
            String.join(
                "\n",
                "name: Bad Name",
                "version: 1.0.0",
                "runtime: process",
                "maxQueued: lots",
                "limits:",
                "  memoryMb: 64",
                "overflow: drop-newest",
                "triggers: [ok/topic, \"a+/b\"]",
                ""));

    assertThat(found)
        .containsExactly(
            "outpost-function.yaml:1: name: must be lowercase letters, digits, - _ . (up to 64"
                + " characters), not 'Bad Name'",
            "outpost-function.yaml:4: maxQueued: expected a number, got 'lots'",
            "outpost-function.yaml:6: limits.memoryMb: unknown key 'memoryMb'; did you mean 'memoryMiB'?",
            "outpost-function.yaml:7: overflow: must be one of reject-new, drop-oldest, was"
                + " drop-newest",
            "outpost-function.yaml:8: triggers[1]: " + topicProblem("a+/b"),
            "outpost-function.yaml: command: required for runtime process, e.g. [python3,"
                + " handler.py]")
        .hasSize(6);
  }

  @Test
  void anUnknownRuntimeIsOneProblemNotAlsoWhatJavaWouldNeed() {
    assertThat(problems("name: a\nversion: 1\nruntime: cobol\n"))
        .containsExactly(
            "outpost-function.yaml:3: runtime: must be one of java, process, wasm, was cobol");
  }

  @Test
  void aTabIsNamedAtTheLineItIndents() {
    assertThat(problems("name: alert\nversion: 1.0.0\nlimits:\n\tmemoryMiB: 64\n"))
        .containsExactly(
            "outpost-function.yaml:4: a tab character indents this line; YAML indents with"
                + " spaces only");
  }

  @Test
  void missingRequiredKeysAreNamedWithoutALine() {
    assertThat(problems("description: nothing else\n"))
        .contains(
            "outpost-function.yaml: name: required (lowercase letters, digits, - _ ., up to 64"
                + " characters)",
            "outpost-function.yaml: version: required, e.g. 1.0.0");
  }

  @Test
  void brokenYamlIsOneLineAtItsLine() {
    List<String> found = problems("name: alert\nversion: [1.0.0\nhandler: a.B\n");
    assertThat(found).hasSize(1);
    assertThat(found.get(0)).matches("outpost-function\\.yaml:\\d+: not valid YAML: .+");
  }

  @Test
  void aListWhereTextBelongsIsATypeError() {
    assertThat(problems("name: alert\nversion: 1.0.0\nhandler: [a.B]\n"))
        .containsExactly("outpost-function.yaml:3: handler: expected text, got a list");
  }

  @Test
  void placesAProblemFoundAfterParsingAtItsKey() {
    assertThat(
            DescriptorReader.place(
                "name: a\nversion: 1\nlimits:\n  memoryMiB: 9999\n",
                "limits.memoryMiB: 9999 exceeds the daemon's cap"))
        .isEqualTo("outpost-function.yaml:4: limits.memoryMiB: 9999 exceeds the daemon's cap");
  }

  @Test
  void aValidDescriptorStillReads() {
    FunctionDescriptor d =
        DescriptorReader.read(
            "name: alert\nversion: 1\nruntime: process\ncommand: [./run.sh]\n"
                + "environment: {WINDOW: 10}\nlimits: {memoryMiB: 64}\n");
    assertThat(d.version()).isEqualTo("1");
    assertThat(d.environment()).containsEntry("WINDOW", "10");
    assertThat(d.limits().memoryMiB()).isEqualTo(64);
  }

  private static String topicProblem(String filter) {
    try {
      io.outpost.topic.Topics.validateFilter(filter);
      throw new AssertionError(filter + " should be an invalid filter");
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }
}
