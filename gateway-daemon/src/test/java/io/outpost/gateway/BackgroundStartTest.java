package io.outpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class BackgroundStartTest {

  @Test
  void runsTheStepOnANamedThreadAndHandsBackItsResult() throws Exception {
    AtomicReference<String> thread = new AtomicReference<>();

    BackgroundStart<Integer> step =
        BackgroundStart.start(
            "outpost-test-step",
            () -> {
              thread.set(Thread.currentThread().getName());
              return 42;
            });

    assertThat(step.await()).isEqualTo(42);
    assertThat(thread.get()).isEqualTo("outpost-test-step");
  }

  @Test
  void rethrowsTheStepsOwnFailure() {
    IllegalStateException failure = new IllegalStateException("spool.db is a directory");

    BackgroundStart<Object> step =
        BackgroundStart.start(
            "outpost-test-step",
            () -> {
              throw failure;
            });

    assertThatThrownBy(step::await).isSameAs(failure);
  }

  @Test
  void abandoningUndoesASuccessfulStepAndKeepsItsFailureAsSuppressed() {
    List<String> undone = new ArrayList<>();
    RuntimeException vertxFailed = new RuntimeException("vert.x did not start");

    BackgroundStart.start("outpost-test-ok", () -> "spool").abandon(vertxFailed, undone::add);
    BackgroundStart.<String>start(
            "outpost-test-failing",
            () -> {
              throw new IllegalStateException("also broken");
            })
        .abandon(vertxFailed, undone::add);

    assertThat(undone).containsExactly("spool");
    assertThat(vertxFailed.getSuppressed())
        .extracting(Throwable::getMessage)
        .containsExactly("also broken");
  }

  @Test
  void abandoningTheStepThatFailedAddsNothing() {
    IllegalStateException failure = new IllegalStateException("metrics");
    BackgroundStart<Object> step =
        BackgroundStart.start(
            "outpost-test-step",
            () -> {
              throw failure;
            });

    step.abandon(failure, x -> {});

    assertThat(failure.getSuppressed()).isEmpty();
  }
}
