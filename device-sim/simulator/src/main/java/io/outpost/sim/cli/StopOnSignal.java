package io.outpost.sim.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * On Ctrl-C or SIGTERM, asks the running session to stop and waits (bounded) for the command to
 * print its summary, so an interrupted run still reports what it measured.
 */
final class StopOnSignal implements AutoCloseable {

  private static final long SUMMARY_WAIT_SECONDS = 30;

  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;

  StopOnSignal(Runnable requestStop) {
    hook =
        new Thread(
            () -> {
              requestStop.run();
              try {
                done.await(SUMMARY_WAIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "device-sim-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The summary is out: the hook may let the JVM exit; removes the hook when not shutting down. */
  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is running and has just been released
    }
  }
}
