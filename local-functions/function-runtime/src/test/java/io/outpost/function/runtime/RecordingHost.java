package io.outpost.function.runtime;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link FunctionHost} that records what the runtime published, standing in for the daemon's
 * broker.
 */
final class RecordingHost implements FunctionHost {

  final List<OutboundMessage> published = new CopyOnWriteArrayList<>();

  /** The name of the thread each message of {@link #published} was handed over on. */
  final List<String> publishingThreads = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<Void> publish(OutboundMessage message) {
    publishingThreads.add(Thread.currentThread().getName());
    published.add(message);
    return CompletableFuture.completedFuture(null);
  }

  List<OutboundMessage> on(String topic) {
    return published.stream().filter(m -> m.topic().equals(topic)).toList();
  }
}
