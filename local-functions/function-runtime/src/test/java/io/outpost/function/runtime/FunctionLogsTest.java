package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.testfunctions.Chatty;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each function's own log, from real functions: an in-process Java handler's logger, a wasm
 * module's stderr, and the runtime's events (active, timeout, limit hit, stopped); removal deletes
 * it.
 */
@Timeout(60)
class FunctionLogsTest {

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

  private List<FunctionLogRecord> logs(String function) throws Exception {
    return f.runtime.logs().read(function, null, 1_000).get(10, TimeUnit.SECONDS);
  }

  private List<FunctionLogRecord> linesOf(String function, String invocationId) throws Exception {
    return logs(function).stream().filter(r -> invocationId.equals(r.invocationId())).toList();
  }

  @Test
  void anInProcessHandlersLinesCarryTheirInvocationId() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("chatty", "1", Chatty.class, ""), Chatty.class));

    InvocationResult first = f.invoke("chatty", "in/chatty/a", "warn");
    InvocationResult second = f.invoke("chatty", "in/chatty/a", "quiet");

    assertThat(first.invocationId()).isNotBlank().isNotEqualTo(second.invocationId());
    assertThat(linesOf("chatty", first.invocationId()))
        .extracting(FunctionLogRecord::level, FunctionLogRecord::source, FunctionLogRecord::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("INFO", LogSource.HANDLER, "handling warn"),
            org.assertj.core.groups.Tuple.tuple("WARN", LogSource.HANDLER, "careful with warn"));
    assertThat(linesOf("chatty", second.invocationId()))
        .extracting(FunctionLogRecord::message)
        .containsExactly("handling quiet");
    assertThat(logs("chatty"))
        .filteredOn(r -> r.source() == LogSource.RUNTIME)
        .extracting(FunctionLogRecord::message)
        .contains("version 1 active (java runtime, on-demand)");
  }

  @Test
  void aTimeoutIsLoggedAsARuntimeEventOfThatInvocation() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            // long enough that the handler has logged its line before the timeout, even cold
            TestPackages.javaDescriptor("sleepy", "1", Chatty.class, "timeoutMillis: 2000\n"),
            Chatty.class));

    InvocationResult r = f.invoke("sleepy", "in/sleepy/a", "sleep");

    assertThat(r.outcome()).isEqualTo(Outcome.TIMEOUT);
    List<FunctionLogRecord> lines = linesOf("sleepy", r.invocationId());
    assertThat(lines)
        .extracting(FunctionLogRecord::source, FunctionLogRecord::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(LogSource.HANDLER, "handling sleep"),
            org.assertj.core.groups.Tuple.tuple(
                LogSource.RUNTIME,
                "invocation on in/sleepy/a ended timeout: timed out after 2000 ms"));
    assertThat(logs("sleepy"))
        .anySatisfy(
            l -> {
              assertThat(l.source()).isEqualTo(LogSource.RUNTIME);
              assertThat(l.level()).isEqualTo("WARN");
              assertThat(l.message()).startsWith("hit its timeout limit");
            });
  }

  @Test
  void aWasmModulesStderrIsKeptAsItsInvocationsLines() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pkg-talker"));
    Files.write(dir.resolve("talker.wasm"), WasmStderrModule.bytes());
    Files.writeString(
        dir.resolve(FunctionDescriptor.FILE_NAME),
        "name: talker\nversion: 1\nruntime: wasm\nhandler: talker.wasm\ntriggers: [in/talker]\n");
    f.runtime.deploy(dir);

    InvocationResult r = f.invoke("talker", "in/talker", "{}");

    assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
    assertThat(linesOf("talker", r.invocationId()))
        .extracting(FunctionLogRecord::source, FunctionLogRecord::message)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(LogSource.STDERR, "hello from wasm"));
  }

  @Test
  void aRemovedFunctionsLogIsDeleted() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("brief", "1", Chatty.class, ""), Chatty.class));
    f.invoke("brief", "in/brief/a", "hello");
    Path logDir = tmp.resolve(FunctionRuntime.LOGS_DIR).resolve("brief");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.isDirectory(logDir));

    assertThat(f.runtime.remove("brief")).isTrue();

    await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(logDir));
    assertThat(logs("brief")).isEmpty();
  }

  @Test
  void theLogOutlivesARestartOfTheRuntime() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp, TestPackages.javaDescriptor("durable", "1", Chatty.class, ""), Chatty.class));
    String id = f.invoke("durable", "in/durable/a", "before").invocationId();
    f.close();

    f = new RuntimeFixture(tmp.resolve("functions"), FunctionRuntimeOptions.defaults());

    assertThat(linesOf("durable", id))
        .extracting(FunctionLogRecord::message)
        .containsExactly("handling before");
    assertThat(logs("durable"))
        .extracting(FunctionLogRecord::message)
        .contains("version 1 stopped");
  }
}
