package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outpost.function.UserProperty;
import io.outpost.function.runtime.testfunctions.Echo;
import io.outpost.function.runtime.testfunctions.Probe;
import io.outpost.function.runtime.testfunctions.Tally;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionRuntimeTest {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private Path echoJar(String version) throws Exception {
    return TestPackages.jar(
        tmp, TestPackages.javaDescriptor("echo", version, Echo.class, ""), Echo.class);
  }

  @Test
  void deploysJarAndPublishesReturnedMessagesThroughHost() throws Exception {
    FunctionInfo info = f.runtime.deploy(echoJar("1.0.0"));

    InvocationResult result = f.invoke("echo", "in/echo/a", "hello");

    assertThat(info.state()).isEqualTo(FunctionState.RUNNING);
    assertThat(info.triggers()).containsExactly("in/echo/#");
    assertThat(result.outcome()).isEqualTo(Outcome.OK);
    assertThat(result.version()).isEqualTo("1.0.0");
    assertThat(f.host.on("echo/in/echo/a"))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.payloadAsString()).isEqualTo("hello");
              assertThat(m.function()).isEqualTo("echo");
              assertThat(m.userProperties()).containsExactly(new UserProperty("version", "1.0.0"));
            });
    assertThat(f.count("echo", Outcome.OK)).isEqualTo(1.0);
    assertThat(f.registry.get("outpost.function.duration").tag("function", "echo").timer().count())
        .isEqualTo(1);
  }

  @Test
  void handlerSeesOnlyTheApiAndTheJdk() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("probe", "1", Probe.class, ""),
            Probe.class,
            Probe.Reading.class));

    InvocationResult result =
        f.invoke("probe", "in/probe", "{\"reading\":{\"celsius\":21.5},\"unit\":\"C\"}");

    assertThat(result.outcome()).isEqualTo(Outcome.OK);
    assertThat(result.outputs())
        .singleElement()
        .extracting(OutboundMessage::payloadAsString)
        .asString()
        .contains(
            "\"jackson\":false",
            "\"runtime\":false",
            "\"slf4j\":false",
            "\"api\":true",
            "\"celsius\":21.5",
            "\"unit\":\"C\"");
  }

  @Test
  void handlerExceptionIsCountedAndPublishedAsErrorRecord() throws Exception {
    f.runtime.deploy(echoJar("1.0.0"));

    InvocationResult result = f.invoke("echo", "in/echo/a", "please fail");

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(result.error()).contains("IllegalStateException", "asked to fail");
    assertThat(f.count("echo", Outcome.ERROR)).isEqualTo(1.0);
    assertThat(f.host.on("outpost/functions/echo/errors"))
        .singleElement()
        .satisfies(
            m ->
                assertThat(m.payloadAsString())
                    .contains("\"outcome\":\"error\"", "asked to fail", "\"topic\":\"in/echo/a\""));
    assertThat(f.runtime.get("echo"))
        .get()
        .extracting(FunctionInfo::state)
        .isEqualTo(FunctionState.ERRORED);
    assertThat(f.invoke("echo", "in/echo/a", "ok").outcome()).isEqualTo(Outcome.OK);
    assertThat(f.runtime.get("echo"))
        .get()
        .extracting(FunctionInfo::state)
        .isEqualTo(FunctionState.RUNNING);
  }

  @Test
  void jsonInputEncodingRejectsNonJsonPayloadBeforeTheHandlerRuns() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("echo", "1", Echo.class, "")
                .replace("inputEncoding: binary", "inputEncoding: json"),
            Echo.class));

    assertThat(f.invoke("echo", "in/echo/a", "not json").error()).contains("not JSON");
    assertThat(f.invoke("echo", "in/echo/a", "{\"ok\":1}").outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void pinnedHandlerKeepsStateAndOnDemandHandlerStartsFresh() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("pinned", "1", Tally.class, "lifecycle: pinned\n"),
            Tally.class));
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("fresh", "1", Tally.class, ""), Tally.class));

    for (int i = 0; i < 3; i++) {
      f.invoke("pinned", "in/pinned", "x");
      f.invoke("fresh", "in/fresh", "x");
    }

    assertThat(f.host.published)
        .filteredOn(m -> m.function().equals("pinned"))
        .extracting(OutboundMessage::payloadAsString)
        .containsExactly("1", "2", "3");
    assertThat(f.host.published)
        .filteredOn(m -> m.function().equals("fresh"))
        .extracting(OutboundMessage::payloadAsString)
        .containsExactly("1", "1", "1");
  }

  @Test
  void rejectsInvalidTriggerFilterAndKeepsNothing() throws Exception {
    Path bad =
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("bad", "1", Echo.class, "").replace("in/bad/#", "in/#/bad"),
            Echo.class);

    assertThatThrownBy(() -> f.runtime.deploy(bad))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("triggers")
        .hasMessageContaining("'#' must be a whole level and the last one");
    assertThat(f.runtime.list()).isEmpty();
    assertThat(f.functionsDir.resolve("bad")).doesNotExist();
  }

  @Test
  void rejectsHandlerClassMissingFromTheJar() throws Exception {
    Path noClass = TestPackages.jar(tmp, TestPackages.javaDescriptor("ghost", "1", Echo.class, ""));

    assertThatThrownBy(() -> f.runtime.deploy(noClass))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("handler: class " + Echo.class.getName() + " is not in");
    assertThat(f.runtime.list()).isEmpty();
    assertThat(f.invoke("ghost", "in/ghost", "x").outcome()).isEqualTo(Outcome.NOT_FOUND);
  }

  @Test
  void rejectsTriggerThatWouldFeedTheFunctionItsOwnErrors() throws Exception {
    Path loop =
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor("loop", "1", Echo.class, "")
                .replace("in/loop/#", "outpost/functions/+/errors"),
            Echo.class);

    assertThatThrownBy(() -> f.runtime.deploy(loop)).hasMessageContaining("own error topic");
  }

  @Test
  void rollsBackToPreviousVersionAndRestoresItAfterRestart() throws Exception {
    f.runtime.deploy(echoJar("1.0.0"));
    FunctionInfo second = f.runtime.deploy(echoJar("2.0.0"));
    assertThat(second.previousVersions()).containsExactly("1.0.0");
    assertThat(f.invoke("echo", "in/echo", "x").version()).isEqualTo("2.0.0");

    FunctionInfo rolledBack = f.runtime.rollback("echo");

    assertThat(rolledBack.version()).isEqualTo("1.0.0");
    assertThat(rolledBack.previousVersions()).isEmpty();
    assertThat(f.invoke("echo", "in/echo", "x").version()).isEqualTo("1.0.0");
    assertThatThrownBy(() -> f.runtime.rollback("echo"))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessageContaining("no older version");

    f.close();
    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());
    assertThat(f.runtime.list())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.name()).isEqualTo("echo");
              assertThat(i.version()).isEqualTo("1.0.0");
              assertThat(i.state()).isEqualTo(FunctionState.RUNNING);
            });
    assertThat(f.invoke("echo", "in/echo", "x").outcome()).isEqualTo(Outcome.OK);
  }

  @Test
  void keepsOnlyTheConfiguredNumberOfVersionsOnDisk() throws Exception {
    for (int v = 1; v <= 5; v++) {
      f.runtime.deploy(echoJar(v + ".0"));
    }

    assertThat(f.runtime.get("echo").orElseThrow().previousVersions())
        .containsExactly("4.0", "3.0");
    try (var dirs = Files.list(f.functionsDir.resolve("echo"))) {
      assertThat(dirs.filter(Files::isDirectory))
          .hasSize(FunctionRuntimeOptions.DEFAULT_RETAINED_VERSIONS);
    }
  }

  @Test
  void removeStopsFunctionDeletesFilesAndTellsListeners() throws Exception {
    List<FunctionInfo> events = new CopyOnWriteArrayList<>();
    f.runtime.addListener(events::add);
    f.runtime.deploy(echoJar("1.0.0"));

    assertThat(f.runtime.remove("echo")).isTrue();

    assertThat(f.runtime.remove("echo")).isFalse();
    assertThat(f.runtime.list()).isEmpty();
    assertThat(f.functionsDir.resolve("echo")).doesNotExist();
    assertThat(f.invoke("echo", "in/echo", "x").outcome()).isEqualTo(Outcome.NOT_FOUND);
    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () ->
                assertThat(events)
                    .extracting(FunctionInfo::state)
                    .containsSubsequence(FunctionState.RUNNING, FunctionState.REMOVED));
    assertThat(f.registry.find("outpost.function.invocations").tag("function", "echo").counters())
        .isEmpty();
  }

  @Test
  void versionThatCannotLoadAtStartIsListedStoppedAndCanBeRemoved() throws Exception {
    f.runtime.deploy(echoJar("1.0.0"));
    f.close();
    try (var dirs = Files.walk(f.functionsDir.resolve("echo"))) {
      Path jar =
          dirs.filter(p -> p.getFileName().toString().equals("package.jar"))
              .findFirst()
              .orElseThrow();
      Files.write(jar, new byte[] {1, 2, 3});
    }

    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());

    assertThat(f.runtime.list())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.state()).isEqualTo(FunctionState.STOPPED);
              assertThat(i.lastError()).contains("not a readable jar");
            });
    assertThat(f.invoke("echo", "in/echo", "x").outcome()).isEqualTo(Outcome.NOT_FOUND);
    assertThat(f.runtime.remove("echo")).isTrue();
    assertThat(f.functionsDir.resolve("echo")).doesNotExist();
  }

  @Test
  void rollbackOfUnknownFunctionNamesIt() {
    assertThatThrownBy(() -> f.runtime.rollback("nope"))
        .isInstanceOf(FunctionDeploymentException.class)
        .hasMessage("no function named 'nope'");
  }

  @Test
  void invokeAfterStopReportsStoppedInsteadOfThrowing() throws Exception {
    f.runtime.deploy(echoJar("1.0.0"));
    f.close();

    assertThat(f.invoke("echo", "in/echo", "x").outcome()).isEqualTo(Outcome.STOPPED);
    assertThat(f.runtime.list())
        .extracting(FunctionInfo::state)
        .containsExactly(FunctionState.STOPPED);
  }
}
