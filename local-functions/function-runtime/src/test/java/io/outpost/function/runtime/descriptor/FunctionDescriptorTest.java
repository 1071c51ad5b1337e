package io.outpost.function.runtime.descriptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.outpost.function.runtime.FunctionDeploymentException;
import io.outpost.function.runtime.FunctionRuntimeOptions;
import io.outpost.function.runtime.InputEncoding;
import io.outpost.function.runtime.Lifecycle;
import io.outpost.function.runtime.OverflowPolicy;
import io.outpost.function.runtime.RuntimeKind;
import io.outpost.topic.TopicFilter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FunctionDescriptorTest {

  private static FunctionDescriptor parse(String yaml) {
    return FunctionDescriptor.parse(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @Test
  void absentKeysTakeRuntimeDefaults() {
    FunctionDescriptor d = parse("name: alert\nversion: 1.0.0\nhandler: a.B\n");

    FunctionSpec spec = d.resolve(FunctionRuntimeOptions.defaults());

    assertThat(d.runtime()).isEqualTo(RuntimeKind.JAVA);
    assertThat(d.lifecycle()).isEqualTo(Lifecycle.ON_DEMAND);
    assertThat(d.inputEncoding()).isEqualTo(InputEncoding.JSON);
    assertThat(d.triggers()).isEmpty();
    assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(3));
    assertThat(spec.maxConcurrency()).isEqualTo(FunctionRuntimeOptions.DEFAULT_MAX_CONCURRENCY);
    assertThat(spec.maxQueued()).isEqualTo(FunctionRuntimeOptions.DEFAULT_MAX_QUEUED);
    assertThat(spec.overflow()).isEqualTo(OverflowPolicy.REJECT_NEW);
  }

  @Test
  void readsEveryKey() {
    FunctionDescriptor d =
        parse(
            """
                name: agg
                version: 2.1.0
                runtime: process
                command: [python3, handler.py]
                triggers: [sensors/+/temp, "plant/#"]
                timeoutMillis: 500
                lifecycle: pinned
                maxQueued: 7
                overflow: drop-oldest
                environment: {WINDOW: "10"}
                inputEncoding: binary
                description: test
                """);

    FunctionSpec spec = d.resolve(FunctionRuntimeOptions.defaults());

    assertThat(d.command()).containsExactly("python3", "handler.py");
    assertThat(d.triggers()).containsExactly("sensors/+/temp", "plant/#");
    assertThat(d.environment()).containsEntry("WINDOW", "10");
    assertThat(spec.timeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(spec.maxQueued()).isEqualTo(7);
    assertThat(spec.overflow()).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(d.lifecycle()).isEqualTo(Lifecycle.PINNED);
    assertThat(d.inputEncoding()).isEqualTo(InputEncoding.BINARY);
  }

  @Test
  void rejectsBadValuesNamingTheKey() {
    assertThatThrownBy(() -> parse("name: Bad Name\nversion: 1\nhandler: a.B\n"))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("name:");
    assertThatThrownBy(() -> parse("name: a\nversion: 1\nruntime: process\n"))
        .hasMessageContaining("command: required");
    assertThatThrownBy(() -> parse("name: a\nversion: 1\nhandler: a.B\ntriggers: [a+/b]\n"))
        .hasMessageContaining("'+' must be a whole level");
    assertThatThrownBy(() -> parse("name: a\nversion: 1\nhandler: a.B\noverflow: drop-newest\n"))
        .hasMessageContaining("reject-new, drop-oldest");
    assertThatThrownBy(() -> parse("name: a\nversion: 1\nhandler: a.B\ntimeout: 3\n"))
        .hasMessageContaining("timeout");
  }

  @Test
  void aProcessFunctionTakesSeveralRequestsInFlightOnlyWhenItDeclaresSo() throws Exception {
    FunctionRuntimeOptions manyByDefault =
        new ObjectMapper(new YAMLFactory())
            .readValue("defaultMaxConcurrency: 8\n", FunctionRuntimeOptions.class);
    FunctionDescriptor plain = parse("name: a\nversion: 1\nruntime: process\ncommand: [x]\n");
    FunctionDescriptor declared =
        parse("name: a\nversion: 1\nruntime: process\ncommand: [x]\nmaxConcurrency: 4\n");

    assertThat(plain.resolve(manyByDefault).maxConcurrency()).isEqualTo(1);
    assertThat(declared.resolve(manyByDefault).maxConcurrency()).isEqualTo(4);
    assertThat(
            declared
                .resolve(
                    FunctionRuntimeOptions.defaults()
                        .withOverrides(
                            java.util.Map.of(
                                "a",
                                new io.outpost.function.runtime.FunctionOverrides(
                                    null, 2, null, null, null))))
                .maxConcurrency())
        .isEqualTo(2);
    assertThatThrownBy(
            () ->
                declared.resolve(
                    FunctionRuntimeOptions.defaults()
                        .withOverrides(
                            java.util.Map.of(
                                "a",
                                new io.outpost.function.runtime.FunctionOverrides(
                                    null, 5, null, null, null)))))
        .hasMessage(
            "functions.overrides.a.maxConcurrency: a is a process function whose program takes at"
                + " most 4 requests in flight (its maxConcurrency); was 5");
  }

  @Test
  void runtimeOptionsBindFromYamlWithDefaultsAndValidation() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

    FunctionRuntimeOptions o =
        yaml.readValue(
            "defaultTimeoutMillis: 1000\ndefaultOverflow: drop-oldest\n",
            FunctionRuntimeOptions.class);

    assertThat(o.defaultTimeoutMillis()).isEqualTo(1000L);
    assertThat(o.defaultOverflow()).isEqualTo(OverflowPolicy.DROP_OLDEST);
    assertThat(o.brokenThreshold()).isEqualTo(FunctionRuntimeOptions.DEFAULT_BROKEN_THRESHOLD);
    assertThat(o)
        .isEqualTo(
            FunctionRuntimeOptions.defaults()
                .withDefaultTimeout(Duration.ofSeconds(1))
                .withDefaultOverflow(OverflowPolicy.DROP_OLDEST));
    assertThatThrownBy(() -> yaml.readValue("brokenThreshold: 0\n", FunctionRuntimeOptions.class))
        .hasMessageContaining("brokenThreshold: must be >= 1");
  }

  @Test
  void topicFilterMatchingFollowsMqttRules() {
    assertThat(TopicFilter.of("a/+/c").matches("a/b/c")).isTrue();
    assertThat(TopicFilter.of("a/#").matches("a")).isTrue();
    assertThat(TopicFilter.of("+/x").matches("$SYS/x")).isFalse();
    assertThat(TopicFilter.of("a/+").matches("a/b/c")).isFalse();
  }
}
