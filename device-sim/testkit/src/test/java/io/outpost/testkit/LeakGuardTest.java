package io.outpost.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Proves the guard bites: each fixture below leaks one kind of resource and must fail its class.
 */
class LeakGuardTest {

  private static final CountDownLatch RELEASE = new CountDownLatch(1);
  private static ServerSocket leakedSocket;
  private static Process leakedProcess;
  private static Path leakedFile;

  @AfterAll
  static void releaseWhatTheFixturesLeaked() throws IOException, InterruptedException {
    RELEASE.countDown();
    if (leakedSocket != null) {
      leakedSocket.close();
    }
    if (leakedProcess != null) {
      leakedProcess.destroyForcibly().waitFor();
    }
    if (leakedFile != null) {
      Files.deleteIfExists(leakedFile);
    }
  }

  @Test
  void failsAClassThatLeavesANonDaemonThreadRunning() {
    assertLeakReported(LeaksThread.class, "thread leak-guard-fixture");
  }

  @Test
  void failsAClassThatLeavesAListeningSocketOpen() {
    assertLeakReported(LeaksSocket.class, "listening socket port");
    assertThat(leakedSocket.getLocalPort()).isPositive();
  }

  @Test
  void failsAClassThatLeavesAChildProcessRunning() {
    assertLeakReported(LeaksProcess.class, "child process");
  }

  @Test
  void failsAClassThatLeavesATempFile() {
    assertLeakReported(LeaksTempFile.class, "temp file leak-guard-fixture");
  }

  @Test
  void failsAClassThatBlockedAVertxThread() {
    assertLeakReported(
        BlocksEventLoop.class,
        "blocked Vert.x thread: Thread vert.x-eventloop-thread-0 has been blocked");
  }

  @Test
  void passesAClassThatCleansUp() {
    assertThat(classResults(CleansUp.class))
        .singleElement()
        .extracting(TestExecutionResult::getStatus)
        .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
  }

  private static void assertLeakReported(Class<?> fixture, String expected) {
    assertThat(classResults(fixture))
        .singleElement()
        .satisfies(
            result -> {
              assertThat(result.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
              assertThat(result.getThrowable().map(Throwable::getMessage).orElse(""))
                  .contains(expected);
            });
  }

  private static List<TestExecutionResult> classResults(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter")
        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
        .configurationParameter(LeakGuard.GRACE_PARAMETER, "500")
        .selectors(selectClass(fixture))
        .execute()
        .allEvents()
        .finished()
        .stream()
        .peek(
            e ->
                e.getPayload(TestExecutionResult.class)
                    .flatMap(TestExecutionResult::getThrowable)
                    .filter(t -> e.getTestDescriptor().isTest())
                    .ifPresent(
                        t -> {
                          throw new AssertionError("fixture test itself failed", t);
                        }))
        .filter(
            e ->
                e.getTestDescriptor().getSource().filter(ClassSource.class::isInstance).isPresent())
        .map(e -> e.getRequiredPayload(TestExecutionResult.class))
        .toList();
  }

  // Fixtures: run only through EngineTestKit above (nested static classes are not picked up by
  // surefire's pattern).

  static class LeaksThread {
    @Test
    void leaves() {
      Thread t =
          new Thread(
              () -> {
                try {
                  RELEASE.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              },
              "leak-guard-fixture");
      t.start();
    }
  }

  static class LeaksSocket {
    @Test
    void leaves() throws IOException {
      leakedSocket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    }
  }

  static class LeaksProcess {
    @Test
    void leaves() throws IOException {
      leakedProcess = new ProcessBuilder("sleep", "60").start();
    }
  }

  static class LeaksTempFile {
    @Test
    void leaves() throws IOException {
      leakedFile = Files.createTempFile("leak-guard-fixture", ".tmp");
    }
  }

  static class BlocksEventLoop {
    @Test
    void blocks() {
      // What Vert.x's checker logs when an event loop is blocked (logger name as in
      // io.vertx.core.impl).
      org.slf4j.LoggerFactory.getLogger("io.vertx.core.impl.BlockedThreadChecker")
          .warn(
              "Thread vert.x-eventloop-thread-0 has been blocked for 2345 ms, time limit is 2000 ms");
    }
  }

  static class CleansUp {
    @Test
    void closesEverything() throws IOException, InterruptedException {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort()).isPositive();
      }
      Thread t = new Thread(() -> {}, "short-lived");
      t.start();
      t.join();
    }
  }
}
