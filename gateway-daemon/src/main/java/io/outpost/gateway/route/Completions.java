package io.outpost.gateway.route;

import java.util.concurrent.CompletionException;

/** What failed, under the {@link CompletionException} that {@code CompletableFuture} stages wrap failures in. */
final class Completions {

  private Completions() {}

  static Throwable cause(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
  }
}
