package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process function scales to zero: its Python child is stopped when idle and started again by the
 * next message.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ScaleToZeroIT {

  @TempDir Path tmp;
  RuntimeFixture f;
  final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults().withBroken(10, Duration.ofSeconds(30)));
  }

  @AfterEach
  void stop() {
    f.close();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private long pidOf(InvocationResult result) throws Exception {
    return json.readTree(result.outputs().get(0).payload()).get("pid").asLong();
  }

  private long liveChildren() {
    return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
  }

  @Test
  void idleChildIsStoppedAndTheNextMessageStartsAFreshOne() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkg"));
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
            "timeoutMillis: 20000",
            "idleTimeoutMillis: 300",
            ""));
    f.runtime.deploy(dir);
    InvocationResult first = f.invoke("proc", "in/proc", "{}");
    assertThat(first.outcome()).isEqualTo(Outcome.OK);
    long firstPid = pidOf(first);

    await()
        .atMost(RuntimeFixture.WAIT)
        .until(() -> f.runtime.get("proc").orElseThrow().state() == FunctionState.IDLE);
    await().atMost(RuntimeFixture.WAIT).until(() -> liveChildren() == 0);
    InvocationResult woken = f.invoke("proc", "in/proc", "{\"mode\":\"echo\",\"t\":1}");

    assertThat(woken.outcome()).isEqualTo(Outcome.OK);
    assertThat(pidOf(woken)).as("a fresh child").isNotEqualTo(firstPid);
    assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(
            f.registry
                .get("outpost.function.process.restarts")
                .tag("function", "proc")
                .counter()
                .count())
        .as("stopping an idle child is not a crash")
        .isZero();
    assertThat(f.runtime.get("proc").orElseThrow().state())
        .isIn(FunctionState.RUNNING, FunctionState.IDLE);
  }
}
