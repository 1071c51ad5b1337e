package io.outpost.gateway;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One step of the daemon's start on a thread of its own, overlapping the steps on the starting
 * thread (see {@link Gateway}): opening the spool (SQLite's native library, the database check)
 * takes a good part of the time to ready and shares nothing with Vert.x but the thread-safe meter
 * registry. The gateway collects the result in its start order, so the stop order does not change.
 * (Binding the JVM metrics on a third thread gained nothing on two cores, measured.)
 */
final class BackgroundStart<T> {

  private final CompletableFuture<T> result = new CompletableFuture<>();

  private BackgroundStart() {}

  static <T> BackgroundStart<T> start(String threadName, Supplier<T> step) {
    BackgroundStart<T> started = new BackgroundStart<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                started.result.complete(step.get());
              } catch (RuntimeException | Error e) {
                started.result.completeExceptionally(e);
              }
            },
            threadName);
    thread.start();
    return started;
  }

  /** Waits for the step; throws what it threw, as if it had run on the calling thread. */
  T await() throws StartupException {
    try {
      return result.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("start step failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartupException(ExitCodes.SOFTWARE, "interrupted while starting", e);
    }
  }

  /**
   * After another part of the start failed: waits for this step and undoes it with {@code undo} if
   * it succeeded; its own failure is added to {@code failure} as suppressed. If interrupted, undoes
   * it whenever it finishes.
   */
  void abandon(Throwable failure, Consumer<? super T> undo) {
    try {
      undo.accept(await());
    } catch (StartupException e) {
      result.thenAccept(undo);
      failure.addSuppressed(e);
    } catch (RuntimeException | Error e) {
      if (e != failure) { // this step may be what failed
        failure.addSuppressed(e);
      }
    }
  }
}
