package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process runtime against a real Python child: protocol, timeouts, SIGKILL crashes, restarts,
 * shutdown.
 */
class ProcessRuntimeIT {

  @TempDir Path tmp;
  RuntimeFixture f;
  final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults()
                .withRestartBackoff(Duration.ofMillis(50))
                .withBroken(10, Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    f.close();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private Path packageDir(String lifecycle) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkg-" + System.nanoTime()));
    try (InputStream in = getClass().getResourceAsStream("/process-function/handler.py")) {
      Files.copy(in, dir.resolve("handler.py"));
    }
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        String.join(
            "\n",
            "name: proc",
            "version: 1",
            "runtime: process",
            "command: [python3, handler.py]",
            "triggers: [in/proc]",
            "lifecycle: " + lifecycle,
            "timeoutMillis: 3000",
            "environment: {GREETING: hello}",
            ""));
    return dir;
  }

  /**
   * Invokes until the outcome is not a timeout: the first invocation also waits for Python to
   * start, which on a loaded build machine can exceed the function's timeout.
   */
  private InvocationResult invokeWarm(String payload) {
    InvocationResult[] last = new InvocationResult[1];
    await()
        .atMost(RuntimeFixture.WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              last[0] = f.invoke("proc", "in/proc", payload);
              return last[0].outcome() != Outcome.TIMEOUT;
            });
    return last[0];
  }

  private long pidOf(InvocationResult result) throws Exception {
    return json.readTree(result.outputs().get(0).payload()).get("pid").asLong();
  }

  @Test
  void childAnswersOverTheLineProtocol() throws Exception {
    f.runtime.deploy(packageDir("pinned"));

    InvocationResult result = invokeWarm("{\"mode\":\"echo\",\"t\":21.5}");

    assertThat(result.outcome()).isEqualTo(Outcome.OK);
    assertThat(result.outputs()).hasSize(2);
    assertThat(result.outputs().get(0).topic()).isEqualTo("proc/out");
    assertThat(json.readTree(result.outputs().get(0).payload()).get("got").get("t").asDouble())
        .isEqualTo(21.5);
    assertThat(json.readTree(result.outputs().get(0).payload()).get("greeting").asText())
        .isEqualTo("hello");
    assertThat(result.outputs().get(1).payloadAsString()).isEqualTo("plain");
    assertThat(result.outputs().get(1).qos()).isEqualTo(1);
    assertThat(f.host.on("proc/out")).isNotEmpty();
  }

  @Test
  void errorReplyIsAnErrorOutcome() throws Exception {
    f.runtime.deploy(packageDir("on-demand"));

    InvocationResult result = invokeWarm("{\"mode\":\"error\"}");

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(result.error()).contains("asked to fail");
    assertThat(f.host.on("outpost/functions/proc/errors"))
        .last()
        .satisfies(m -> assertThat(m.payloadAsString()).contains("asked to fail"));
  }

  @Test
  void timeoutKillsTheChildAndTheNextInvocationGetsAFreshOne() throws Exception {
    f.runtime.deploy(packageDir("pinned"));
    long firstPid = pidOf(invokeWarm("{}"));

    assertThat(f.invoke("proc", "in/proc", "{\"mode\":\"sleep\"}").outcome())
        .isEqualTo(Outcome.TIMEOUT);

    assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () -> {
              InvocationResult next = f.invoke("proc", "in/proc", "{}");
              assertThat(next.outcome()).isEqualTo(Outcome.OK);
              assertThat(pidOf(next)).isNotEqualTo(firstPid);
            });
    assertThat(
            f.registry
                .get("outpost.function.process.restarts")
                .tag("function", "proc")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1.0);
  }

  @Test
  void pinnedChildKilledWithSigkillIsRestartedInTheBackground() throws Exception {
    f.runtime.deploy(packageDir("pinned"));
    long firstPid = pidOf(invokeWarm("{}"));

    ProcessHandle.of(firstPid).orElseThrow().destroyForcibly();

    await()
        .atMost(RuntimeFixture.WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        ProcessHandle.current()
                            .children()
                            .filter(p -> p.isAlive() && p.pid() != firstPid))
                    .hasSize(1));
    // the crash is reported (ERRORED) before its restart is scheduled: no await needed
    assertThat(f.runtime.get("proc"))
        .get()
        .extracting(FunctionInfo::state)
        .isEqualTo(FunctionState.ERRORED);
    InvocationResult next = invokeWarm("{}");
    assertThat(next.outcome()).isEqualTo(Outcome.OK);
    assertThat(pidOf(next)).isNotEqualTo(firstPid);
    assertThat(f.runtime.get("proc"))
        .get()
        .extracting(FunctionInfo::state)
        .isEqualTo(FunctionState.RUNNING);
  }

  @Test
  void childThatKeepsCrashingIsMarkedBroken() throws Exception {
    f.runtime.deploy(packageDir("on-demand"));

    await()
        .atMost(RuntimeFixture.WAIT)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              f.invoke("proc", "in/proc", "{\"mode\":\"crash\"}");
              assertThat(f.runtime.get("proc"))
                  .get()
                  .extracting(FunctionInfo::state)
                  .isEqualTo(FunctionState.BROKEN);
            });
    InvocationResult rejected = f.invoke("proc", "in/proc", "{}");
    assertThat(rejected.outcome()).isEqualTo(Outcome.BROKEN);
    assertThat(f.runtime.get("proc").orElseThrow().lastError()).isNotBlank();
  }

  @Test
  void nonJsonPayloadFailsWithoutReachingTheChild() throws Exception {
    f.runtime.deploy(packageDir("on-demand"));

    InvocationResult result = f.invoke("proc", "in/proc", "not json");

    assertThat(result.outcome()).isEqualTo(Outcome.ERROR);
    assertThat(result.error()).contains("not JSON");
  }
}
