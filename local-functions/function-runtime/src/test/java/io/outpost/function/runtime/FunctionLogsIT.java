package io.outpost.function.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.outpost.function.runtime.descriptor.FunctionDescriptor;
import io.outpost.function.runtime.testfunctions.Chatty;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each function's own log from functions in processes: a Java handler in a child JVM (its logger
 * travels over stderr) and a Python process function writing to stderr; a crash is a runtime event
 * with its exit code.
 */
@Timeout(120)
class FunctionLogsIT {

  @TempDir Path tmp;
  RuntimeFixture f;

  @BeforeEach
  void start() throws Exception {
    f =
        new RuntimeFixture(
            tmp.resolve("functions"),
            FunctionRuntimeOptions.defaults().withRestartBackoff(java.time.Duration.ofMillis(50)));
  }

  @AfterEach
  void stop() {
    f.close();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).isEmpty();
  }

  private List<FunctionLogRecord> logs(String function) throws Exception {
    return f.runtime.logs().read(function, null, 1_000).get(10, TimeUnit.SECONDS);
  }

  private List<FunctionLogRecord> linesOf(String function, String invocationId) throws Exception {
    return logs(function).stream().filter(r -> invocationId.equals(r.invocationId())).toList();
  }

  @Test
  void aChildJvmHandlersLoggerLinesKeepTheirLevelAndInvocation() throws Exception {
    f.runtime.deploy(
        TestPackages.jar(
            tmp,
            TestPackages.javaDescriptor(
                "chatty", "1", Chatty.class, "isolation: process\ntimeoutMillis: 30000\n"),
            Chatty.class));

    InvocationResult r = f.invoke("chatty", "in/chatty/a", "warn");

    assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
    // stderr is read by its own thread: a line may land just after the result
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(linesOf("chatty", r.invocationId()))
                    .extracting(
                        FunctionLogRecord::level,
                        FunctionLogRecord::source,
                        FunctionLogRecord::message)
                    .containsExactly(
                        tuple("INFO", LogSource.HANDLER, "handling warn"),
                        tuple("WARN", LogSource.HANDLER, "careful with warn")));
  }

  private Path pythonPackage() throws Exception {
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
            "lifecycle: pinned",
            "timeoutMillis: 20000",
            ""));
    return dir;
  }

  @Test
  void aProcessFunctionsStderrIsItsInvocationsLinesAndACrashIsARuntimeEvent() throws Exception {
    f.runtime.deploy(pythonPackage());

    InvocationResult r = f.invoke("proc", "in/proc", "{\"mode\": \"echo\"}");

    assertThat(r.outcome()).as(r.error()).isEqualTo(Outcome.OK);
    // stderr is attributed when its reader thread reads it, which may be just after the result
    // (StderrReader): the line must be read before the next request is sent, or it lands there
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(linesOf("proc", r.invocationId()))
                    .extracting(FunctionLogRecord::source, FunctionLogRecord::message)
                    .containsExactly(tuple(LogSource.STDERR, "handling in/proc")));
    InvocationResult crash = f.invoke("proc", "in/proc", "{\"mode\": \"crash\"}");
    assertThat(crash.outcome()).isEqualTo(Outcome.ERROR);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(logs("proc"))
                    .filteredOn(l -> l.source() == LogSource.RUNTIME)
                    .extracting(FunctionLogRecord::message)
                    .anyMatch(m -> m.contains("exited with code 3") && m.contains("restarting"))
                    .anyMatch(m -> m.startsWith("started process pid")));
    assertThat(linesOf("proc", r.invocationId()))
        .extracting(FunctionLogRecord::source, FunctionLogRecord::message)
        .containsExactly(tuple(LogSource.STDERR, "handling in/proc"));
  }
}
